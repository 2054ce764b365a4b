import Foundation
import Testing
@testable import FourierLens

@Suite struct DatasetTests {
  @Test func inMemoryDatasetGathersByIndex() throws {
    let images = Tensor(shape: [3, 1, 1, 2], data: [0, 0.1, 1, 1.1, 2, 2.1])
    let ds = InMemoryDataset(batch: ImageBatch(images: images, labels: [2, 0, 1], classNames: ["a", "b", "c"]), format: "generated")
    #expect(ds.info == DatasetInfo(format: "generated", count: 3, classes: ["a", "b", "c"], shape: [1, 1, 2]))
    let b = try ds.batch([2, 0])
    #expect(b.images.data == [2, 2.1, 0, 0.1])
    #expect(b.labels == [1, 2])
    #expect(throws: FourierLensError.self) { _ = try ds.batch([3]) }
  }

  @Test func loaderRecognisesCIFARWithSplitsLimitAndPreprocessing() throws {
    let dir = try CodecTestSupport.sharedData("cifar10")
    let test = try DatasetLoader.open(dir, split: .test)
    #expect(test.info.format == "cifar10" && test.info.count == 10000)
    let limited = try DatasetLoader.open(dir, split: .train, preprocessing: Preprocessing(grayscale: true, size: (16, 16)), limit: 50)
    #expect(limited.info.count == 50 && limited.info.shape == [1, 16, 16])
    #expect(throws: FourierLensError.self) { _ = try limited.batch([50]) }
    // The preprocessed images equal preprocessing applied to the raw ones.
    let raw = try DatasetLoader.open(dir, split: .train).batch([3, 49])
    let expected = try Preprocessing(grayscale: true, size: (16, 16)).apply(raw.images)
    let got = try limited.batch([3, 49])
    #expect(got.images.shape == [2, 1, 16, 16])
    #expect(zip(got.images.data, expected.data).allSatisfy { abs($0 - $1) < 1e-6 })
    #expect(got.labels == raw.labels)
    // A bigger limit than the dataset is the whole dataset.
    #expect(try DatasetLoader.open(dir, split: .test, limit: 20000).info.count == 10000)
  }

  @Test func loaderErrorsNameThePath() throws {
    let missing = "/nonexistent/\(UUID().uuidString)"
    CodecTestSupport.expectBadFile(missing) { _ = try DatasetLoader.open(missing, split: .test) }
    let empty = try CodecTestSupport.scratchDirectory()
    CodecTestSupport.expectBadFile(empty) { _ = try DatasetLoader.open(empty, split: .test) }
    #expect(throws: FourierLensError.badSetting(.limit, reason: "must be a positive number of images, got 0")) {
      _ = try DatasetLoader.open(empty, split: .test, limit: 0)
    }
  }

  @Test func npyPairDirectoryFromNumPy() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    // uint8 NCHW images, float32 N×H×W images, labels and class names; all written by NumPy.
    try CodecTestSupport.python("""
      import sys, os, numpy as np
      d = sys.argv[1]
      rng = np.random.default_rng(0)
      os.makedirs(d + '/u8/train'); os.makedirs(d + '/u8/test'); os.makedirs(d + '/f32')
      imgs = rng.integers(0, 256, size=(7, 3, 4, 5), dtype=np.uint8)
      np.save(d + '/u8/train/images.npy', imgs); np.save(d + '/u8/train/labels.npy', np.arange(7) % 2)
      np.save(d + '/u8/test/images.npy', imgs[:2]); np.save(d + '/u8/test/labels.npy', np.array([1, 0]))
      open(d + '/u8/train/classes.txt', 'w').write('cat\\ndog\\n')
      f = rng.random((4, 6, 6)).astype('<f4')
      np.save(d + '/f32/images.npy', f); np.save(d + '/f32/labels.npy', np.array([0, 3, 1, 2], dtype='<i4'))
      imgs.astype('<f8').tofile(d + '/u8_raw.bin'); f.tofile(d + '/f32_raw.bin')
      """, arguments: [dir])
    let train = try DatasetLoader.open(dir + "/u8", split: .train)
    #expect(train.info == DatasetInfo(format: "npy", count: 7, classes: ["cat", "dog"], shape: [3, 4, 5], split: .train))
    let raw = try Data(contentsOf: URL(fileURLWithPath: dir + "/u8_raw.bin"))
    let rawValues = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    let b = try train.batch([6, 1])
    #expect(b.labels == [0, 1])
    #expect(zip(b.images.data[0 ..< 60], rawValues[360 ..< 420]).allSatisfy { $0 == Float($1 / 255) })
    #expect(zip(b.images.data[60 ..< 120], rawValues[60 ..< 120]).allSatisfy { $0 == Float($1 / 255) })
    #expect(try DatasetLoader.open(dir + "/u8", split: .test).info.count == 2)
    let f32 = try DatasetLoader.open(dir + "/f32", split: .test)
    #expect(f32.info == DatasetInfo(format: "npy", count: 4, classes: ["0", "1", "2", "3"], shape: [1, 6, 6]))
    let fraw = try Data(contentsOf: URL(fileURLWithPath: dir + "/f32_raw.bin")).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    #expect(try f32.batch([0, 1, 2, 3]).images.data == fraw)
  }

  @Test func npyPairProblemsNameTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try CodecTestSupport.python("""
      import sys, os, numpy as np
      d = sys.argv[1]
      for n in ['count', 'range', 'dtype', 'trunc']: os.makedirs(d + '/' + n)
      np.save(d + '/count/images.npy', np.zeros((3, 2, 2), 'u1')); np.save(d + '/count/labels.npy', np.zeros(4, 'i8'))
      np.save(d + '/range/images.npy', np.full((2, 2, 2), 3.0, 'f4')); np.save(d + '/range/labels.npy', np.zeros(2, 'i8'))
      np.save(d + '/dtype/images.npy', np.zeros((2, 2, 2), 'i8')); np.save(d + '/dtype/labels.npy', np.zeros(2, 'i8'))
      np.save(d + '/trunc/images.npy', np.zeros((9, 8, 8), 'f4')); np.save(d + '/trunc/labels.npy', np.zeros(9, 'i8'))
      """, arguments: [dir])
    CodecTestSupport.expectBadFile(dir + "/count/labels.npy") { _ = try DatasetLoader.open(dir + "/count", split: .test) }
    CodecTestSupport.expectBadFile(dir + "/dtype/images.npy") { _ = try DatasetLoader.open(dir + "/dtype", split: .test) }
    let range = try DatasetLoader.open(dir + "/range", split: .test)
    CodecTestSupport.expectBadFile(dir + "/range/images.npy") { _ = try range.batch([0]) }
    let trunc = dir + "/trunc/images.npy"
    #expect(truncate(trunc, 500) == 0)
    CodecTestSupport.expectBadFile(trunc) { _ = try DatasetLoader.open(dir + "/trunc", split: .test) }
  }
}
