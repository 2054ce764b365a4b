import Foundation
import FourierLens

/// Every file of a report, held in memory until all of them have been made, so that bad
/// input stops the report before anything is written. Writing puts each file in place
/// atomically, `index.html` last (a report directory with an index is complete), and then
/// removes figures and data files that an earlier report left and this one does not have.
public struct ReportFiles {
  /// Relative path → contents, in the order they were added.
  public private(set) var files: [(path: String, data: Data)] = []
  private var taken = Set<String>()

  public init() {}

  public mutating func add(_ path: String, _ data: Data) {
    precondition(!taken.contains(path), "report file \(path) added twice")
    taken.insert(path)
    files.append((path, data))
  }

  public mutating func add(_ path: String, text: String) { add(path, Data(text.utf8)) }

  public mutating func addJSON<T: Encodable>(_ path: String, _ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    add(path, try encoder.encode(value))
  }

  /// The folders whose stale files are cleaned up after writing.
  static let managedFolders = ["figures", "data"]

  public func write(to directory: String) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), !isDir.boolValue {
      throw FourierLensError.badFile(path: directory, reason: "exists and is not a directory")
    }
    let ordered = files.filter { $0.path != "index.html" } + files.filter { $0.path == "index.html" }
    for f in ordered { try AtomicFile.write(f.data, to: directory + "/" + f.path) }
    for folder in Self.managedFolders {
      let dir = directory + "/" + folder
      guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { continue }
      for name in names where !taken.contains(folder + "/" + name) && !name.hasPrefix(".")
        && [".png", ".svg", ".json", ".csv"].contains(where: { name.hasSuffix($0) }) {
        try? FileManager.default.removeItem(atPath: dir + "/" + name)
      }
    }
  }
}
