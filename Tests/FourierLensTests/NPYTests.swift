import Foundation
import Testing
@testable import FourierLens

@Suite struct NPYTests {
  @Test func writtenFloat32LoadsInNumPyWithIdenticalValues() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let path = dir + "/t.npy"
    var rng = SeededGenerator(seed: 7)
    let values = (0 ..< 2 * 3 * 4 * 5).map { _ in rng.nextGaussian() * 1000 }
    try NPY.write(Tensor(shape: [2, 3, 4, 5], data: values), to: path)
    // The data starts on a 64-byte boundary, as NumPy's own writer does.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    #expect((bytes.count - values.count * 4) % 64 == 0)
    // NumPy prints dtype, shape, order and the exact float32 bit patterns.
    let out = try CodecTestSupport.python("""
      import sys, numpy as np
      a = np.load(sys.argv[1])
      print(a.dtype.str, a.shape, a.flags['C_CONTIGUOUS'])
      print(' '.join(str(int(b)) for b in a.ravel().view(np.uint32)))
      """, arguments: [path])
    let lines = out.split(separator: "\n")
    #expect(lines[0] == "<f4 (2, 3, 4, 5) True")
    let bits = lines[1].split(separator: " ").map { UInt32($0)! }
    #expect(bits == values.map(\.bitPattern))
  }

  @Test func writtenInt64LoadsInNumPy() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let path = dir + "/labels.npy"
    let ints = [0, -3, 9, 1 << 40, 7, 2]
    try NPY.write(ints: ints, shape: [2, 3], to: path)
    let out = try CodecTestSupport.python("""
      import sys, numpy as np
      a = np.load(sys.argv[1]); print(a.dtype.str, a.shape, ' '.join(map(str, a.ravel())))
      """, arguments: [path])
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == "<i8 (2, 3) 0 -3 9 1099511627776 7 2")
    #expect(try NPY.read(path).ints() == ints)
    #expect(throws: FourierLensError.self) { try NPY.write(ints: [1, 2, 3], shape: [2, 2], to: dir + "/bad.npy") }
  }

  @Test func readsEveryNumPyDType() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try CodecTestSupport.python("""
      import sys, numpy as np
      d = sys.argv[1]
      base = np.array([[0, 1, 2], [250, 7, 128]])
      np.save(d + '/f4.npy', (base / 7).astype('<f4'))
      np.save(d + '/f8.npy', (base / 7).astype('<f8'))
      np.save(d + '/u1.npy', base.astype('u1'))
      np.save(d + '/i8.npy', (base - 100).astype('<i8'))
      np.save(d + '/i4.npy', (base - 100).astype('<i4'))
      np.save(d + '/b1.npy', base > 5)
      np.save(d + '/scalar.npy', np.float32(2.5))
      np.save(d + '/empty.npy', np.zeros((0, 3), dtype='<f4'))
      """, arguments: [dir])
    let base: [Double] = [0, 1, 2, 250, 7, 128]
    let f4 = try NPY.read(dir + "/f4.npy")
    #expect(f4.shape == [2, 3] && f4.dtype == .float32)
    #expect(f4.floats() == base.map { Float($0 / 7) })
    let f8 = try NPY.readTensor(dir + "/f8.npy")
    #expect(f8.shape == [2, 3])
    #expect(f8.data == base.map { Float($0 / 7) })
    let u1 = try NPY.read(dir + "/u1.npy")
    #expect(u1.dtype == .uint8 && u1.ints() == [0, 1, 2, 250, 7, 128])
    #expect(try NPY.readTensor(dir + "/u1.npy").data == [0, 1, 2, 250, 7, 128])
    #expect(try NPY.read(dir + "/i8.npy").ints() == [-100, -99, -98, 150, -93, 28])
    #expect(try NPY.read(dir + "/i4.npy").ints() == [-100, -99, -98, 150, -93, 28])
    #expect(try NPY.read(dir + "/b1.npy").ints() == [0, 0, 0, 1, 1, 1])
    let scalar = try NPY.readTensor(dir + "/scalar.npy")
    #expect(scalar.shape == [] && scalar.data == [2.5])
    #expect(try NPY.read(dir + "/empty.npy").shape == [0, 3])
    let header = try NPY.readShape(dir + "/i8.npy")
    #expect(header.shape == [2, 3] && header.dtype == .int64)
  }

  @Test func refusesBigEndianFortranAndUnknownTypesNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try CodecTestSupport.python("""
      import sys, numpy as np
      d = sys.argv[1]
      np.save(d + '/big.npy', np.arange(4, dtype='>f4'))
      np.save(d + '/fortran.npy', np.asfortranarray(np.arange(6, dtype='<f4').reshape(2, 3)))
      np.save(d + '/complex.npy', np.arange(3, dtype='<c8'))
      """, arguments: [dir])
    for name in ["big", "fortran", "complex"] {
      let path = dir + "/\(name).npy"
      CodecTestSupport.expectBadFile(path) { _ = try NPY.read(path) }
    }
    do {
      _ = try NPY.read(dir + "/big.npy")
    } catch {
      #expect("\(error)".contains("big-endian"))
    }
  }

  @Test func truncatedAndCorruptFilesThrowNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let good = dir + "/good.npy"
    try NPY.write(Tensor(shape: [4, 4], data: (0 ..< 16).map(Float.init)), to: good)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    var cases: [String: Data] = [
      "truncated-data": bytes.prefix(bytes.count - 3),
      "truncated-header": bytes.prefix(40),
      "tiny": bytes.prefix(5),
      "empty": Data(),
      "not-npy": Data("hello world, not an array at all".utf8),
    ]
    var badShape = bytes
    let text = String(decoding: bytes.prefix(128), as: UTF8.self)
    let r = text.range(of: "(4, 4)")!
    let offset = text.utf8.distance(from: text.startIndex, to: r.lowerBound)
    badShape.replaceSubrange(offset ..< offset + 6, with: Array("(4, x)".utf8))
    cases["bad-shape"] = badShape
    var huge = bytes
    huge.replaceSubrange(offset ..< offset + 6, with: Array("(9999)".utf8))
    cases["shape-larger-than-data"] = huge
    for (name, data) in cases {
      let path = dir + "/\(name).npy"
      try data.write(to: URL(fileURLWithPath: path))
      CodecTestSupport.expectBadFile(path) { _ = try NPY.read(path) }
    }
    CodecTestSupport.expectBadFile(dir + "/missing.npy") { _ = try NPY.read(dir + "/missing.npy") }
  }

  @Test func roundTripKeepsShapeAndValues() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    for shape in [[7], [3, 5], [1, 1, 1, 1], [2, 0, 3]] {
      let n = shape.reduce(1, *)
      let t = Tensor(shape: shape, data: (0 ..< n).map { Float($0) * 0.37 - 1 })
      try NPY.write(t, to: dir + "/r.npy")
      #expect(try NPY.readTensor(dir + "/r.npy") == t)
    }
  }
}
