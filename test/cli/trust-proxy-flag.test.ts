import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/cli/commands/serve.js';

describe('serve --trust-proxy', () => {
  it('takes a number of hops, or proxy addresses and CIDR ranges', () => {
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.0/8, 192.168.1.4,::1,fd00::/8')).toEqual(['10.0.0.0/8', '192.168.1.4', '::1', 'fd00::/8']);
  });

  it('refuses anything else, naming the entry', () => {
    expect(() => parseTrustProxy('0')).toThrow(/positive/);
    expect(() => parseTrustProxy('proxy.example.org')).toThrow("'proxy.example.org' is not an IP address or CIDR range (e.g. 10.0.0.0/8, ::1)");
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow("'10.0.0.0/33' is not an IP address or CIDR range");
    expect(() => parseTrustProxy('::1/129')).toThrow("'::1/129' is not an IP address or CIDR range");
    expect(() => parseTrustProxy('10.0.0.1/8/1')).toThrow("'10.0.0.1/8/1' is not an IP address");
    expect(() => parseTrustProxy(' , ')).toThrow('give a number of hops or proxy addresses');
  });
});
