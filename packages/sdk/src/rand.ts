// Deterministic randomness for handlers: seeded from the invocation's random seed, so every
// attempt of an invocation draws the same sequence (xoshiro128** over 32-bit lanes, seeded through
// splitmix32 from the 64-bit seed).

export interface Rand {
  /** A float in [0, 1), like Math.random(), but the same on every replay. */
  random(): number;
  /** A version-4 UUID drawn from the same deterministic stream. */
  uuidv4(): string;
}

export class DeterministicRand implements Rand {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: bigint) {
    let x = Number(BigInt.asUintN(32, seed)) ^ Math.imul(Number(BigInt.asUintN(32, seed >> 32n)), 0x9e3779b9);
    const next = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  private nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  random(): number {
    // 53 random bits, as Math.random's precision.
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  uuidv4(): string {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 16; i += 4) {
      const v = this.nextU32();
      bytes[i] = v >>> 24;
      bytes[i + 1] = (v >>> 16) & 0xff;
      bytes[i + 2] = (v >>> 8) & 0xff;
      bytes[i + 3] = v & 0xff;
    }
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
