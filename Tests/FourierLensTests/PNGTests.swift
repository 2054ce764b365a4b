import Foundation
import Testing
@testable import FourierLens

@Suite struct PNGTests {
  @Test func writeThenReadIsExactForGrayRGBAndAlpha() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    var rng = SeededGenerator(seed: 11)
    for channels in 1 ... 4 {
      let (w, h) = (13, 7)
      let pixels = (0 ..< w * h * channels).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
      let path = dir + "/c\(channels).png"
      try PNGCodec.write(pixels: pixels, width: w, height: h, channels: channels, to: path)
      let t = try PNGCodec.read(path)
      let kept = channels == 2 || channels == 4 ? channels - 1 : channels
      #expect(t.shape == [kept, h, w])
      // Planar [C, H, W] in [0, 1] back to interleaved bytes: identical, alpha dropped.
      var back = [UInt8]()
      for i in 0 ..< w * h { for k in 0 ..< kept { back.append(UInt8((t.data[k * w * h + i] * 255).rounded())) } }
      let expected = (0 ..< w * h).flatMap { i in (0 ..< kept).map { pixels[i * channels + $0] } }
      #expect(back == expected, "channels \(channels)")
      #expect(t.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    }
  }

  @Test func tensorWriteRoundsToTheNearestLevelAndIsStable() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    var rng = SeededGenerator(seed: 5)
    let image = Tensor(shape: [3, 6, 9], data: (0 ..< 162).map { _ in rng.nextUniform() })
    try PNGCodec.write(image: image, to: dir + "/t.png")
    let back = try PNGCodec.read(dir + "/t.png")
    #expect(back.shape == [3, 6, 9])
    #expect(zip(back.data, image.data).allSatisfy { abs($0 - $1) <= 0.5 / 255 + 1e-6 })
    // A second round trip of quantised values is exact.
    try PNGCodec.write(image: back, to: dir + "/t2.png")
    #expect(try PNGCodec.read(dir + "/t2.png") == back)
    // [H, W] is written as gray; out-of-range values clamp; NaN is refused.
    try PNGCodec.write(image: Tensor(shape: [2, 2], data: [-1, 0.5, 2, 1]), to: dir + "/g.png")
    #expect(try PNGCodec.read(dir + "/g.png").data == [0, Float(128) / 255, 1, 1])
    #expect(throws: FourierLensError.self) { try PNGCodec.write(image: Tensor(shape: [1, 1, 2], data: [.nan, 0]), to: dir + "/nan.png") }
    #expect(!FileManager.default.fileExists(atPath: dir + "/nan.png"))
    #expect(throws: FourierLensError.self) { try PNGCodec.write(image: Tensor(zeros: [5, 2, 2]), to: dir + "/five.png") }
  }

  /// Writes PNGs of every colour type, bit depth, palette/transparency and interlacing with
  /// Python's zlib + struct (an encoder independent of libpng), and the samples expected.
  private static let generator = #"""
    import sys, zlib, struct, json, random
    out = sys.argv[1]
    random.seed(1234)
    def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    def pack(samples, depth):
        if depth == 8: return bytes(samples)
        if depth == 16: return b''.join(struct.pack('>H', s) for s in samples)
        row, acc, n = bytearray(), 0, 0
        for s in samples:
            acc, n = (acc << depth) | s, n + depth
            if n == 8: row.append(acc); acc, n = 0, 0
        if n: row.append(acc << (8 - n))
        return bytes(row)
    ADAM7 = [(0,0,8,8),(4,0,8,8),(0,4,4,8),(2,0,4,4),(0,2,2,4),(1,0,2,2),(0,1,1,2)]
    def png(name, w, h, ctype, depth, interlace=0, palette=None, trns=None):
        nch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
        top = (len(palette) - 1) if palette else (1 << depth) - 1
        px = [[[random.randint(0, top) for _ in range(nch)] for _ in range(w)] for _ in range(h)]
        raw = bytearray()
        for xs, ys, dx, dy in (ADAM7 if interlace else [(0, 0, 1, 1)]):
            cols = list(range(xs, w, dx))
            if not cols: continue
            for y in range(ys, h, dy):
                raw += b'\x00' + pack([s for x in cols for s in px[y][x]], depth)
        data = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, interlace))
        if palette: data += chunk(b'PLTE', b''.join(bytes(c) for c in palette))
        if trns is not None: data += chunk(b'tRNS', trns)
        data += chunk(b'IDAT', zlib.compress(bytes(raw))) + chunk(b'IEND', b'')
        open(out + '/' + name + '.png', 'wb').write(data)
        # Expected planar samples (alpha dropped, palette looked up) and their maximum.
        if palette:
            chans, maxval = [[palette[px[y][x][0]][k] for y in range(h) for x in range(w)] for k in range(3)], 255
        else:
            keep = {1: 1, 2: 1, 3: 3, 4: 3}[nch]
            maxval = 65535 if depth == 16 else 255
            scale = 1 if depth >= 8 else 255 // ((1 << depth) - 1)
            chans = [[px[y][x][k] * scale for y in range(h) for x in range(w)] for k in range(keep)]
        expected[name] = {'shape': [len(chans), h, w], 'max': maxval, 'samples': [s for c in chans for s in c]}
    expected = {}
    pal = [[random.randint(0, 255) for _ in range(3)] for _ in range(11)]
    png('gray1', 17, 5, 0, 1); png('gray2', 9, 4, 0, 2); png('gray4', 7, 3, 0, 4)
    png('gray8', 6, 5, 0, 8); png('gray16', 5, 4, 0, 16)
    png('graya8', 6, 3, 4, 8); png('graya16', 4, 4, 4, 16)
    png('rgb8', 7, 6, 2, 8); png('rgb16', 5, 3, 2, 16)
    png('rgba8', 6, 6, 6, 8); png('rgba16', 3, 5, 6, 16)
    png('palette8', 8, 5, 3, 8, palette=pal); png('palette4', 9, 4, 3, 4, palette=pal, trns=bytes([0, 128, 255]))
    png('gray8_trns', 5, 5, 0, 8, trns=struct.pack('>H', 7))
    png('rgb8_interlaced', 11, 9, 2, 8, interlace=1); png('gray16_interlaced', 10, 10, 0, 16, interlace=1)
    png('palette2_interlaced', 13, 7, 3, 2, interlace=1, palette=pal[:4]); png('rgba8_interlaced', 3, 2, 6, 8, interlace=1)
    json.dump(expected, open(out + '/expected.json', 'w'))
    """#

  @Test func readsEveryColourTypeWrittenByAnIndependentEncoder() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try CodecTestSupport.python(Self.generator, arguments: [dir])
    let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/expected.json"))) as? [String: [String: Any]])
    #expect(expected.count == 18)
    for (name, info) in expected.sorted(by: { $0.key < $1.key }) {
      let shape = try #require(info["shape"] as? [Int])
      let maxValue = Float(try #require(info["max"] as? Int))
      let samples = try #require(info["samples"] as? [Int])
      let t = try PNGCodec.read(dir + "/\(name).png")
      #expect(t.shape == shape, "\(name)")
      guard t.shape == shape else { continue }
      let got = t.data.map { Int(($0 * maxValue).rounded()) }
      #expect(got == samples, "\(name)")
      // Through the magic-byte dispatcher too.
      #expect(try ImageFile.read(dir + "/\(name).png") == t)
    }
  }

  @Test func truncatedAndCorruptPNGsThrowNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    var rng = SeededGenerator(seed: 3)
    let pixels = (0 ..< 32 * 32 * 3).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    let good = try PNGCodec.encode(pixels: pixels, width: 32, height: 32, channels: 3)
    var cases: [String: Data] = [:]
    for cut in [8, 20, 40, good.count / 2, good.count - 13, good.count - 1] { cases["cut\(cut)"] = good.prefix(cut) }
    var flipped = good
    flipped[good.count / 2] ^= 0xFF  // inside IDAT: CRC mismatch
    cases["flipped"] = flipped
    var badHeader = good
    badHeader[16] = 0x7F  // width's top byte: IHDR CRC fails / absurd size
    cases["header"] = badHeader
    cases["signature-only"] = good.prefix(8)
    cases["empty"] = Data()
    cases["text"] = Data("definitely not an image".utf8)
    for (name, data) in cases {
      let path = dir + "/\(name).png"
      try data.write(to: URL(fileURLWithPath: path))
      CodecTestSupport.expectBadFile(path) { _ = try PNGCodec.read(path) }
      CodecTestSupport.expectBadFile(path) { _ = try ImageFile.read(path) }
    }
    CodecTestSupport.expectBadFile(dir + "/missing.png") { _ = try PNGCodec.read(dir + "/missing.png") }
    CodecTestSupport.expectBadFile(dir) { _ = try PNGCodec.read(dir) }
  }

  @Test func encodeRejectsInconsistentSizes() throws {
    #expect(throws: FourierLensError.self) { _ = try PNGCodec.encode(pixels: [1, 2, 3], width: 2, height: 2, channels: 1) }
    #expect(throws: FourierLensError.self) { _ = try PNGCodec.encode(pixels: [], width: 0, height: 0, channels: 1) }
    #expect(throws: FourierLensError.self) { _ = try PNGCodec.encode(pixels: [1, 2, 3, 4, 5], width: 1, height: 1, channels: 5) }
  }
}
