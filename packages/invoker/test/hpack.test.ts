// Goal: the HPACK decoder and Huffman code are RFC 7541 exact; method: the Appendix C examples (C.2–C.6, raw and Huffman) decoded in sequence with their dynamic tables checked, plus round trips and malformed blocks.
import { describe, expect, it } from "vitest";
import { HpackDecoder, HpackError, codeLengths, encodeHeaderBlock, huffmanDecode, huffmanEncode } from "@cairn/invoker/internal";

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ""), "hex");
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i] ?? "", flat[i + 1] ?? ""]);
  return out;
}

describe("HPACK decoder: RFC 7541 C.2 (single representations)", () => {
  it("C.2.1 literal with indexing", () => {
    const d = new HpackDecoder(4096, 65536);
    expect(pairs(d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"))) ).toEqual([["custom-key", "custom-header"]]);
    expect(d.entries).toEqual([["custom-key", "custom-header"]]);
    expect(d.size).toBe(55);
  });
  it("C.2.2 literal without indexing", () => {
    const d = new HpackDecoder(4096, 65536);
    expect(pairs(d.decode(hex("040c 2f73 616d 706c 652f 7061 7468")))).toEqual([[":path", "/sample/path"]]);
    expect(d.size).toBe(0);
  });
  it("C.2.3 literal never indexed", () => {
    const d = new HpackDecoder(4096, 65536);
    expect(pairs(d.decode(hex("1008 7061 7373 776f 7264 0673 6563 7265 74")))).toEqual([["password", "secret"]]);
    expect(d.size).toBe(0);
  });
  it("C.2.4 indexed", () => {
    const d = new HpackDecoder(4096, 65536);
    expect(pairs(d.decode(hex("82")))).toEqual([[":method", "GET"]]);
  });
});

const requests: [string, [string, string][], [string, string][], number][] = [
  [
    "first",
    [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"]],
    [[":authority", "www.example.com"]],
    57,
  ],
  [
    "second",
    [[":method", "GET"], [":scheme", "http"], [":path", "/"], [":authority", "www.example.com"], ["cache-control", "no-cache"]],
    [["cache-control", "no-cache"], [":authority", "www.example.com"]],
    110,
  ],
  [
    "third",
    [[":method", "GET"], [":scheme", "https"], [":path", "/index.html"], [":authority", "www.example.com"], ["custom-key", "custom-value"]],
    [["custom-key", "custom-value"], ["cache-control", "no-cache"], [":authority", "www.example.com"]],
    164,
  ],
];

function checkSequence(decoder: HpackDecoder, blocks: string[], expected: typeof requests): void {
  blocks.forEach((block, i) => {
    const [, headers, table, size] = expected[i] as (typeof requests)[number];
    expect(pairs(decoder.decode(hex(block)))).toEqual(headers);
    expect(decoder.entries).toEqual(table);
    expect(decoder.size).toBe(size);
  });
}

describe("HPACK decoder: RFC 7541 C.3 / C.4 (requests, one connection)", () => {
  it("C.3 without Huffman", () => {
    checkSequence(
      new HpackDecoder(4096, 65536),
      ["8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d", "8286 84be 5808 6e6f 2d63 6163 6865", "8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65"],
      requests,
    );
  });
  it("C.4 with Huffman", () => {
    checkSequence(
      new HpackDecoder(4096, 65536),
      ["8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff", "8286 84be 5886 a8eb 1064 9cbf", "8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf"],
      requests,
    );
  });
});

const date1 = "Mon, 21 Oct 2013 20:13:21 GMT";
const date2 = "Mon, 21 Oct 2013 20:13:22 GMT";
const location = "https://www.example.com";
const cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";
const responses: typeof requests = [
  [
    "first",
    [[":status", "302"], ["cache-control", "private"], ["date", date1], ["location", location]],
    [["location", location], ["date", date1], ["cache-control", "private"], [":status", "302"]],
    222,
  ],
  [
    "second",
    [[":status", "307"], ["cache-control", "private"], ["date", date1], ["location", location]],
    [[":status", "307"], ["location", location], ["date", date1], ["cache-control", "private"]],
    222,
  ],
  [
    "third",
    [[":status", "200"], ["cache-control", "private"], ["date", date2], ["location", location], ["content-encoding", "gzip"], ["set-cookie", cookie]],
    [["set-cookie", cookie], ["content-encoding", "gzip"], ["date", date2]],
    215,
  ],
];

describe("HPACK decoder: RFC 7541 C.5 / C.6 (responses, 256-byte table, evictions)", () => {
  it("C.5 without Huffman", () => {
    checkSequence(
      new HpackDecoder(256, 65536),
      [
        "4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70 6c65 2e63 6f6d",
        "4803 3330 37c1 c0bf",
        "88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d 54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049 5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e 3d31",
      ],
      responses,
    );
  });
  it("C.6 with Huffman", () => {
    checkSequence(
      new HpackDecoder(256, 65536),
      [
        "4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6 2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3",
        "4883 640e ffc1 c0bf",
        "88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab 77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f 9587 3160 65c0 03ed 4ee5 b106 3d50 07",
      ],
      responses,
    );
  });
});

describe("HPACK decoder: table size updates and malformed blocks", () => {
  it("a size update evicts, and one above the advertised limit is an error", () => {
    const d = new HpackDecoder(4096, 65536);
    d.decode(hex("400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572"));
    expect(d.size).toBe(55);
    d.decode(hex("20")); // size update to 0
    expect(d.size).toBe(0);
    expect(() => d.decode(hex("3fe1 1f"))).not.toThrow(); // 4096: the advertised limit
    expect(() => d.decode(hex("3fe2 1f"))).toThrow(HpackError); // 4097 > 4096
  });
  it("a size update after a header field is an error", () => {
    expect(() => new HpackDecoder(4096, 65536).decode(hex("82 20"))).toThrow(HpackError);
  });
  it("index 0, an index beyond the tables, a truncated string are errors", () => {
    expect(() => new HpackDecoder(4096, 65536).decode(hex("80"))).toThrow(HpackError);
    expect(() => new HpackDecoder(4096, 65536).decode(hex("be"))).toThrow(HpackError);
    expect(() => new HpackDecoder(4096, 65536).decode(hex("400a 6375"))).toThrow(HpackError);
  });
  it("a header list above the bound is an error", () => {
    expect(() => new HpackDecoder(4096, 40).decode(hex("040c 2f73 616d 706c 652f 7061 7468"))).toThrow(HpackError);
  });
  it("Huffman: EOS inside and padding that is not all ones are errors", () => {
    const scratch = Buffer.alloc(64);
    // 30 one-bits (EOS) then padding.
    expect(() => huffmanDecode(hex("ffff ffff"), 0, 4, scratch)).toThrow();
    // 'a' (00011) followed by 3 zero bits of padding.
    expect(() => huffmanDecode(hex("18"), 0, 1, scratch)).toThrow();
    // More than 7 bits of padding.
    expect(() => huffmanDecode(hex("1f ff"), 0, 2, scratch)).toThrow();
    expect(huffmanDecode(hex("1f"), 0, 1, scratch)).toBe("a");
  });
});

describe("Huffman code", () => {
  it("is a complete prefix code over 257 symbols (Kraft sum 1)", () => {
    let sum = 0;
    for (const length of codeLengths) sum += 2 ** -length;
    expect(sum).toBe(1);
  });
  it("round-trips every byte value", () => {
    const all = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
    const encoded = huffmanEncode(all);
    expect(huffmanDecode(encoded, 0, encoded.length, Buffer.alloc(1024))).toBe(all);
  });
});

describe("HPACK encoder", () => {
  it("writes static-indexed pairs and names, literal values, and decodes back", () => {
    const headers = [":method", "POST", ":scheme", "http", ":path", "/invoke/Greeter/greet", "content-type", "application/vnd.restate.invocation.v7", "x-restate-invocation-id", "inv_1abc"];
    const block = encodeHeaderBlock(headers);
    expect(block[0]).toBe(0x83); // :method POST, static 3
    expect(block[1]).toBe(0x86); // :scheme http, static 6
    expect(block[2]).toBe(0x04); // literal without indexing, name :path (static 4)
    const d = new HpackDecoder(4096, 65536);
    expect(d.decode(block)).toEqual(headers);
    expect(d.size).toBe(0);
  });
  it("encodes lengths beyond the 7-bit prefix", () => {
    const value = "v".repeat(300);
    const d = new HpackDecoder(4096, 65536);
    expect(d.decode(encodeHeaderBlock(["x-long", value, "retry-after", "5"]))).toEqual(["x-long", value, "retry-after", "5"]);
  });
});
