// The registry of methods (on the core's Registry): every method by name with its parameters on the digits, and
// the choice of its KG port made from the entry.
import { describe, expect, it } from 'vitest';
import { METHODS, getMethod, kgPortOf, methodNames, methodsWithKgPort, parseKgPortParams, parseMethodParams, prepareKgPort } from '../../src/general/method-registry.js';

describe('method registry and method parameters', () => {
  it('knows every method of the issue and rejects others', () => {
    expect(methodNames()).toEqual(['kd', 'dml', 'dcm', 'ffsd', 'dogo', 'lad', 'co-lad', 'fedntd', 'cbd', 'stream', 'det-kd', 'simclrv2', 'fedx']);
    expect(getMethod('DML').name).toBe('dml');
    expect(() => getMethod('crd')).toThrow("unknown distillation method 'crd' (did you mean 'cbd'?); known methods: kd, dml, dcm, ffsd, dogo, lad, co-lad");
  });

  it('an entry is the method on the digits (its schema, its title as summary) and lists itself for --help', () => {
    for (const entry of METHODS.entries()) {
      expect(entry.images.name).toBe(entry.name);
      expect(entry.summary).toBe(entry.images.title);
      expect(entry.schema).toBe(entry.images.schema);
    }
    expect(METHODS.describe()).toMatch(/^ {2}kd {8}KD, temperature knowledge distillation \(Hinton et al\. 2015\)$/m);
    expect(METHODS.describe().split('\n')).toHaveLength(13);
  });

  it('validates method parameters with the method named', () => {
    expect(parseMethodParams('kd', {})).toEqual({ loss: 'hinton-kd', temperature: 4, alpha: 0.9 });
    // alpha weighs hinton-kd's two terms: the soft term alone (loss=kd) neither shows it nor accepts it
    expect(parseMethodParams('kd', { loss: 'kd' })).toEqual({ loss: 'kd', temperature: 4 });
    expect(() => parseMethodParams('kd', { loss: 'kd', alpha: 0.5 })).toThrow("invalid parameters for distillation method 'kd': alpha: loss=kd is the soft term alone and takes no alpha");
    expect(() => parseMethodParams('kd', { loss: 'mse' })).toThrow(/invalid parameters for distillation method 'kd': loss: /);
    expect(() => parseMethodParams('dml', { peers: 1 })).toThrow(/method 'dml': peers: Too small/);
    expect(() => parseMethodParams('co-lad', { criterion: 'auc' })).toThrow(/method 'co-lad': criterion/);
    expect(() => parseMethodParams('dogo', { augment: { maxShift: 9 } })).toThrow(/method 'dogo': augment.maxShift/);
  });
});

describe('KG ports, chosen through the registry entry', () => {
  it('dml, dogo, fedntd and cbd have one; any other method is an error naming them', () => {
    expect(methodsWithKgPort()).toEqual(['dml', 'dogo', 'fedntd', 'cbd']);
    expect(kgPortOf('DoGo')).toBe(getMethod('dogo').kg);
    expect(() => kgPortOf('ffsd')).toThrow("method 'ffsd' has no KG port; the methods with one are dml, dogo, fedntd, cbd");
    expect(() => prepareKgPort('stream', {})).toThrow(/no KG port/);
  });

  it('validates a port\'s own parameters (not the method\'s on the digits), with its defaults', () => {
    expect(parseKgPortParams('dml', {})).toEqual({ weight: 1, temperature: 1 });
    expect(parseKgPortParams('fedntd', { clients: 2 })).toEqual({ clients: 2, localEpochs: 2, beta: 1, temperature: 1 });
    expect(parseKgPortParams('cbd', {})).toEqual({ teachers: 2, alpha: 0.5, temperature: 2, power: 0, rareMax: 2, frequentMin: 11 });
    expect(() => parseKgPortParams('dml', { peers: 3 })).toThrow(`invalid parameters for the KG port of 'dml': unknown parameter 'peers'`);
    expect(() => prepareKgPort('cbd', { rareMax: 5, frequentMin: 5 })).toThrow("invalid parameters for the KG port of 'cbd': frequentMin (5) must exceed rareMax (5)");
    expect([getMethod('dml').kg!.defaultEpochs, getMethod('fedntd').kg!.defaultEpochs, getMethod('cbd').kg!.defaultEpochs]).toEqual([10, 16, 20]);
  });
});
