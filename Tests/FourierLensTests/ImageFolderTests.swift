import Foundation
import Testing
@testable import FourierLens

@Suite struct ImageFolderTests {
  /// A PNG whose every pixel is `level` (gray) or (level, level/2, 255 − level) (RGB).
  private func writeImage(_ path: String, level: UInt8, width: Int = 6, height: Int = 4, gray: Bool = false) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let pixel: [UInt8] = gray ? [level] : [level, level / 2, 255 - level]
    let pixels = (0 ..< width * height).flatMap { _ in pixel }
    try PNGCodec.write(pixels: pixels, width: width, height: height, channels: pixel.count, to: path)
  }

  @Test func classesAreSortedSubfoldersAndImagesDecodeInOrder() throws {
    let root = try CodecTestSupport.scratchDirectory()
    try writeImage(root + "/zebra/b.png", level: 30)
    try writeImage(root + "/zebra/a.png", level: 20)
    try writeImage(root + "/ant/x.png", level: 10, gray: true)
    try writeImage(root + "/ant/nested/y.png", level: 40)
    let jpeg = try JPEGCodec.encode(image: Tensor(repeating: 0.5, shape: [3, 4, 6]), quality: 100)
    try FileManager.default.createDirectory(atPath: root + "/moth", withIntermediateDirectories: true)
    try jpeg.write(to: URL(fileURLWithPath: root + "/moth/m.JPG"))
    try "not an image".write(toFile: root + "/moth/readme.txt", atomically: true, encoding: .utf8)
    try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
    let ds = try DatasetLoader.open(root, split: .test)
    #expect(ds.info == DatasetInfo(format: "imagefolder", count: 5, classes: ["ant", "moth", "zebra"], shape: [3, 4, 6]))
    let all = try ds.batch(Array(0 ..< 5))
    #expect(all.labels == [0, 0, 1, 2, 2])
    // Order: ant/nested/y.png, ant/x.png, moth/m.JPG, zebra/a.png, zebra/b.png; first pixel R channel.
    let red = (0 ..< 5).map { (all.images.data[$0 * 72] * 255).rounded() }
    #expect(red[0] == 40 && red[1] == 10 && red[3] == 20 && red[4] == 30)
    #expect(abs(red[2] - 128) <= 1)
    // The gray image is replicated into three equal channels.
    let gray = all.slice(1 ..< 2).images.data
    #expect(gray[0] == gray[24] && gray[24] == gray[48])
    // RGB channels land in their planes.
    #expect((all.images.data[3 * 72 + 24] * 255).rounded() == 10 && (all.images.data[3 * 72 + 48] * 255).rounded() == 235)
  }

  @Test func oddSizeIsNamedUnlessResized() throws {
    let root = try CodecTestSupport.scratchDirectory()
    try writeImage(root + "/a/1.png", level: 100)
    try writeImage(root + "/b/2.png", level: 200, width: 9, height: 5)
    let ds = try DatasetLoader.open(root, split: .train)
    #expect(try ds.batch([0]).count == 1)
    CodecTestSupport.expectBadFile(root + "/b/2.png") { _ = try ds.batch([0, 1]) }
    // With --size every image is resized (a constant image stays constant) and --grayscale applies.
    let resized = try DatasetLoader.open(root, split: .train, preprocessing: Preprocessing(grayscale: true, size: (8, 8)), limit: 2)
    #expect(resized.info.shape == [1, 8, 8])
    let b = try resized.batch([0, 1])
    let luma: (Float) -> Float = { l in (0.299 * l + 0.587 * Float(UInt8(l) / 2) + 0.114 * (255 - l)) / 255 }
    #expect(b.images.data[0 ..< 64].allSatisfy { abs($0 - luma(100)) < 1e-3 })
    #expect(b.images.data[64 ..< 128].allSatisfy { abs($0 - luma(200)) < 1e-3 })
  }

  @Test func corruptImageAndSplitLayout() throws {
    let root = try CodecTestSupport.scratchDirectory()
    try writeImage(root + "/train/cat/1.png", level: 1)
    try writeImage(root + "/train/dog/1.png", level: 2)
    try writeImage(root + "/test/cat/1.png", level: 3)
    try writeImage(root + "/test/dog/1.png", level: 4)
    try Data("broken".utf8).write(to: URL(fileURLWithPath: root + "/test/dog/2.png"))
    let train = try DatasetLoader.open(root, split: .train)
    #expect(train.info.count == 2 && train.info.classes == ["cat", "dog"])
    let test = try DatasetLoader.open(root, split: .test)
    #expect(test.info.count == 3)
    CodecTestSupport.expectBadFile(root + "/test/dog/2.png") { _ = try test.batch([2]) }
    let stream = BatchStream(dataset: test, batchSize: 2)
    #expect(try stream.next()?.count == 2)
    #expect(throws: FourierLensError.self) { _ = try stream.next() }
  }
}
