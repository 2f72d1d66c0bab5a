/**
 * The KG ports of DML and DoGo (`kgdistill kd dml|dogo --dataset <KG>`): two KGE students trained together vs one
 * (`peer-run.ts`), with the mutual term's weight λ and temperature T as `--param`s.
 */
import { z } from 'zod';
import { nonNegativeFloat32, positiveFloat32 } from '../../../core/float32-range.js';
import { defineKgPort, type KgPort, type KgPortSettings } from '../port.js';
import { runPeerComparison, type PeerComparison, type PeerRunOptions } from './peer-run.js';
import type { PeerMode } from './peer-objective.js';

/** λ, the mutual term's weight, and its temperature T (DML's paper: both 1). */
export const peerPortSchema = z.object({
  weight: nonNegativeFloat32().default(1),
  temperature: positiveFloat32().default(1),
}).strict();

/** The KG ports' `--param`s of DML and DoGo. */
export type PeerPortParams = z.infer<typeof peerPortSchema>;

/** Epochs of both runs when `--epochs` is not given. */
export const PEER_PORT_DEFAULT_EPOCHS = 10;

/** The run options of a peer port from the shared settings and its parameters. */
export function peerRunOptions(settings: KgPortSettings, params: PeerPortParams): Omit<PeerRunOptions, 'seed'> {
  const { epochs, ...shared } = settings;
  return { ...shared, epochs: epochs ?? PEER_PORT_DEFAULT_EPOCHS, ...params };
}

function peerPort(mode: PeerMode, summary: string): KgPort<PeerPortParams, PeerComparison> {
  return defineKgPort({
    summary,
    schema: peerPortSchema,
    defaultEpochs: PEER_PORT_DEFAULT_EPOCHS,
    run: (data, settings, params, seeds, backend, log) => runPeerComparison(data, mode, peerRunOptions(settings, params), seeds, backend, log),
  });
}

/** DML on a KG: BCE over gold + uniform negatives plus the peer-detached KL over the same candidates. */
export const dmlKgPort = peerPort('dml', 'two KGE students trained together (BCE over sampled candidates + peer KL) vs one alone; filtered test MRR');

/** DoGo on a KG: contrastive CE over in-batch answers plus the KL between the students' similarity rows. */
export const dogoKgPort = peerPort('dogo', 'two KGE students trained together (in-batch contrastive CE + similarity KL) vs one alone; filtered test MRR');
