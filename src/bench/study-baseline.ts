// The hand-written TypeScript loop that `npm run bench:pipeline` compares the compiled
// examples/study-forward pipeline against. Input: a PacketPool and a batch of slot indices (bytes,
// start, length, port set) plus the key register's words. Output: each packet rewritten in place
// exactly as study-forward.p4 rewrites it and its slot's port set to the egress port; the slots
// sent are appended to `sent`. Same work as the program, written as a person would by hand.
import type { PacketPool } from '../runtime/core/packet-pool.js';

const ETHERTYPE_IPV4 = 0x0800;
const IPPROTO_UDP = 17;
const STUDY_PORT = 7777;

/**
 * Processes one batch: parse Ethernet / IPv4 (ihl 5, first fragment, UDP) / UDP (dst 7777) /
 * study header with the program's bounds checks; on a study packet decrypt-increment-encrypt the
 * secret with key[0] and clear the UDP checksum; egress port = ingress port ^ 1; write the parsed
 * headers back (the deparser's bytes). Returns the number of slots appended to `sent`.
 */
export function studyBaselineBatch(pool: PacketPool, pkts: Int32Array, n: number, key: Uint32Array, sent: Int32Array): number {
  const buf = pool.buf;
  const starts = pool.start;
  const lengths = pool.length;
  const ports = pool.port;
  let out = 0;
  for (let i = 0; i < n; i++) {
    const p = pkts[i];
    const at = starts[p];
    const end = at + lengths[p];
    const egress = (ports[p] ^ 1) & 0x1ff;
    if (egress === 511) continue; // v1model's drop port (the pipeline frees such packets)
    ports[p] = egress;
    sent[out++] = p;
    // Ethernet
    if (at + 14 > end) continue;
    const dst0 = (buf[at] << 8) | buf[at + 1];
    const dst1 = ((buf[at + 2] << 24) | (buf[at + 3] << 16) | (buf[at + 4] << 8) | buf[at + 5]) >>> 0;
    const src0 = (buf[at + 6] << 8) | buf[at + 7];
    const src1 = ((buf[at + 8] << 24) | (buf[at + 9] << 16) | (buf[at + 10] << 8) | buf[at + 11]) >>> 0;
    const etherType = (buf[at + 12] << 8) | buf[at + 13];
    let ip = false;
    let udp = false;
    let study = false;
    let verIhl = 0, tos = 0, totalLen = 0, ident = 0, flagsFrag = 0, ttl = 0, proto = 0, hcsum = 0, saddr = 0, daddr = 0;
    let sport = 0, dport = 0, ulen = 0, ucsum = 0;
    let seq = 0, secret = 0, res0 = 0, res1 = 0;
    let off = at + 14;
    if (etherType === ETHERTYPE_IPV4 && off + 20 <= end) {
      ip = true;
      verIhl = buf[off];
      tos = buf[off + 1];
      totalLen = (buf[off + 2] << 8) | buf[off + 3];
      ident = (buf[off + 4] << 8) | buf[off + 5];
      flagsFrag = (buf[off + 6] << 8) | buf[off + 7];
      ttl = buf[off + 8];
      proto = buf[off + 9];
      hcsum = (buf[off + 10] << 8) | buf[off + 11];
      saddr = ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
      daddr = ((buf[off + 16] << 24) | (buf[off + 17] << 16) | (buf[off + 18] << 8) | buf[off + 19]) >>> 0;
      off += 20;
      if ((verIhl & 15) === 5 && (flagsFrag & 0x1fff) === 0 && proto === IPPROTO_UDP && off + 8 <= end) {
        udp = true;
        sport = (buf[off] << 8) | buf[off + 1];
        dport = (buf[off + 2] << 8) | buf[off + 3];
        ulen = (buf[off + 4] << 8) | buf[off + 5];
        ucsum = (buf[off + 6] << 8) | buf[off + 7];
        off += 8;
        if (dport === STUDY_PORT && off + 16 <= end) {
          study = true;
          seq = ((buf[off] << 24) | (buf[off + 1] << 16) | (buf[off + 2] << 8) | buf[off + 3]) >>> 0;
          secret = ((buf[off + 4] << 24) | (buf[off + 5] << 16) | (buf[off + 6] << 8) | buf[off + 7]) >>> 0;
          res0 = ((buf[off + 8] << 24) | (buf[off + 9] << 16) | (buf[off + 10] << 8) | buf[off + 11]) >>> 0;
          res1 = ((buf[off + 12] << 24) | (buf[off + 13] << 16) | (buf[off + 14] << 8) | buf[off + 15]) >>> 0;
        }
      }
    }
    // The work: decrypt, increment, encrypt; the payload changed, so no UDP checksum.
    if (study) {
      const k = key[0];
      secret = (((secret ^ k) + 1) ^ k) >>> 0;
      ucsum = 0;
    }
    // Write the parsed headers back, as the deparser does.
    let o = at;
    buf[o] = dst0 >>> 8; buf[o + 1] = dst0;
    buf[o + 2] = dst1 >>> 24; buf[o + 3] = dst1 >>> 16; buf[o + 4] = dst1 >>> 8; buf[o + 5] = dst1;
    buf[o + 6] = src0 >>> 8; buf[o + 7] = src0;
    buf[o + 8] = src1 >>> 24; buf[o + 9] = src1 >>> 16; buf[o + 10] = src1 >>> 8; buf[o + 11] = src1;
    buf[o + 12] = etherType >>> 8; buf[o + 13] = etherType;
    o += 14;
    if (!ip) continue;
    buf[o] = verIhl; buf[o + 1] = tos;
    buf[o + 2] = totalLen >>> 8; buf[o + 3] = totalLen;
    buf[o + 4] = ident >>> 8; buf[o + 5] = ident;
    buf[o + 6] = flagsFrag >>> 8; buf[o + 7] = flagsFrag;
    buf[o + 8] = ttl; buf[o + 9] = proto;
    buf[o + 10] = hcsum >>> 8; buf[o + 11] = hcsum;
    buf[o + 12] = saddr >>> 24; buf[o + 13] = saddr >>> 16; buf[o + 14] = saddr >>> 8; buf[o + 15] = saddr;
    buf[o + 16] = daddr >>> 24; buf[o + 17] = daddr >>> 16; buf[o + 18] = daddr >>> 8; buf[o + 19] = daddr;
    o += 20;
    if (!udp) continue;
    buf[o] = sport >>> 8; buf[o + 1] = sport;
    buf[o + 2] = dport >>> 8; buf[o + 3] = dport;
    buf[o + 4] = ulen >>> 8; buf[o + 5] = ulen;
    buf[o + 6] = ucsum >>> 8; buf[o + 7] = ucsum;
    o += 8;
    if (!study) continue;
    buf[o] = seq >>> 24; buf[o + 1] = seq >>> 16; buf[o + 2] = seq >>> 8; buf[o + 3] = seq;
    buf[o + 4] = secret >>> 24; buf[o + 5] = secret >>> 16; buf[o + 6] = secret >>> 8; buf[o + 7] = secret;
    buf[o + 8] = res0 >>> 24; buf[o + 9] = res0 >>> 16; buf[o + 10] = res0 >>> 8; buf[o + 11] = res0;
    buf[o + 12] = res1 >>> 24; buf[o + 13] = res1 >>> 16; buf[o + 14] = res1 >>> 8; buf[o + 15] = res1;
  }
  return out;
}
