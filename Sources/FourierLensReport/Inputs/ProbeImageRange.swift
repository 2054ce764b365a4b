import FourierLens

/// The `image_range: {split, offset, count}` every probe JSON records (absent in files of
/// older runs): the images the probe measured on, which the report names beside its numbers.
struct ProbeImageRange: Decodable {
  var imageRange: ImageRange?

  enum CodingKeys: String, CodingKey { case imageRange = "image_range" }

  /// Nil for a file that is not a JSON object or has no range; an error for a range that is
  /// present but malformed.
  init(from decoder: Decoder) throws {
    guard let c = try? decoder.container(keyedBy: CodingKeys.self) else { return }
    imageRange = try c.decodeIfPresent(ImageRange.self, forKey: .imageRange)
  }

  static func read(_ path: String) throws -> ImageRange? {
    let range = (try ProbeResults.decode(path, what: "probe output") as ProbeImageRange).imageRange
    if let range, range.offset < 0 || range.count < 0 {
      throw FourierLensError.badFile(path: path, reason: "image_range has a negative offset or count (\(range.offset), \(range.count))")
    }
    return range
  }
}
