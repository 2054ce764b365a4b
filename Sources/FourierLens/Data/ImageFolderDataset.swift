import Foundation

/// The usual "ImageFolder" layout: one subdirectory per class (class names sorted, label =
/// position), PNG or JPEG files anywhere below it (sorted by path). Index order is class by
/// class, as in torchvision.
///
/// Images are decoded on demand and always have 3 channels (gray files are replicated, alpha
/// is dropped), so a folder mixing gray and colour files works; `--grayscale` makes them 1.
/// With a target size every image is resized to it; without one all images must have the
/// size of the first, and a file of another size is reported by name when it is read.
public final class ImageFolderDataset: Dataset {
  public let root: String
  public let info: DatasetInfo
  public let preprocessing: Preprocessing
  /// Every image file with its label, in index order.
  public let files: [(path: String, label: Int)]
  /// The decoded size that all images must share when no resize is asked for.
  private let nativeSize: (height: Int, width: Int)

  /// The class subdirectories of `directory` that hold at least one image, sorted, with
  /// their image files (sorted by relative path).
  static func scan(_ directory: String) -> [(name: String, files: [String])] {
    let fm = FileManager.default
    let entries = ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    var classes = [(name: String, files: [String])]()
    for name in entries {
      let classDir = (directory as NSString).appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: classDir, isDirectory: &isDirectory), isDirectory.boolValue,
            let walker = fm.enumerator(atPath: classDir) else { continue }
      var images = [String]()
      while let relative = walker.nextObject() as? String {
        let leaf = (relative as NSString).lastPathComponent
        if !leaf.hasPrefix(".") && ImageFile.hasImageExtension(leaf) { images.append(relative) }
      }
      if !images.isEmpty {
        classes.append((name, images.sorted().map { (classDir as NSString).appendingPathComponent($0) }))
      }
    }
    return classes
  }

  /// True when some class subdirectory holds an image (stops at the first one found).
  public static func looksLike(directory: String) -> Bool {
    let fm = FileManager.default
    for name in (try? fm.contentsOfDirectory(atPath: directory)) ?? [] where !name.hasPrefix(".") {
      let classDir = (directory as NSString).appendingPathComponent(name)
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: classDir, isDirectory: &isDirectory), isDirectory.boolValue,
            let walker = fm.enumerator(atPath: classDir) else { continue }
      while let relative = walker.nextObject() as? String {
        let leaf = (relative as NSString).lastPathComponent
        if !leaf.hasPrefix(".") && ImageFile.hasImageExtension(leaf) { return true }
      }
    }
    return false
  }

  public init(directory: String, preprocessing: Preprocessing = .none) throws {
    let classes = Self.scan(directory)
    guard !classes.isEmpty else {
      throw FourierLensError.badFile(path: directory, reason: "no class subdirectories with PNG or JPEG images")
    }
    root = directory
    self.preprocessing = preprocessing
    files = classes.enumerated().flatMap { label, entry in entry.files.map { (path: $0, label: label) } }
    let first = try ImageFile.read(files[0].path)
    nativeSize = (first.shape[1], first.shape[2])
    let shape = try preprocessing.outputShape(for: [3, first.shape[1], first.shape[2]])
    info = DatasetInfo(format: "imagefolder", count: files.count, classes: classes.map(\.name), shape: shape)
  }

  /// One file as a 3-channel [3, H, W] image at the dataset's size, preprocessed.
  func image(at index: Int) throws -> Tensor {
    let path = files[index].path
    var image = try ImageFile.read(path)
    if image.shape[0] == 1 {
      image = Tensor(shape: [3] + image.shape.dropFirst(), data: image.data + image.data + image.data)
    }
    if preprocessing.size == nil && (image.shape[1] != nativeSize.height || image.shape[2] != nativeSize.width) {
      throw FourierLensError.badFile(path: path, reason: "image is \(image.shape[1])x\(image.shape[2]) but the dataset's images are \(nativeSize.height)x\(nativeSize.width) (\(files[0].path)); give --size to resize all images")
    }
    return try preprocessing.apply(image)
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    let stride = info.shape.reduce(1, *)
    var data = [Float]()
    data.reserveCapacity(indices.count * stride)
    var labels = [Int]()
    labels.reserveCapacity(indices.count)
    for index in indices {
      guard index >= 0 && index < files.count else {
        throw FourierLensError.message("index \(index) outside the \(files.count) images of \(root)")
      }
      let image = try image(at: index)
      data.append(contentsOf: image.data)
      labels.append(files[index].label)
    }
    return ImageBatch(images: Tensor(shape: [indices.count] + info.shape, data: data), labels: labels, classNames: info.classes)
  }
}
