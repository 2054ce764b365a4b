import Foundation

/// Writes files so that a reader (or a crash) never sees a half-written one: the bytes go
/// to a temporary file in the same directory, are flushed, and the file is renamed over
/// the destination in one step. Parent directories are created as needed.
public enum AtomicFile {
  public static func write(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent()
    do {
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: dir.path, reason: "cannot create directory (\(error.localizedDescription))")
    }
    let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))")
    guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
      throw FourierLensError.badFile(path: path, reason: "cannot create a temporary file in \(dir.path)")
    }
    do {
      let handle = try FileHandle(forWritingTo: tmp)
      try handle.write(contentsOf: data)
      try handle.synchronize()
      try handle.close()
      guard rename(tmp.path, url.path) == 0 else {
        throw FourierLensError.badFile(path: path, reason: "cannot rename temporary file: \(String(cString: strerror(errno)))")
      }
    } catch let error as FourierLensError {
      try? FileManager.default.removeItem(at: tmp)
      throw error
    } catch {
      try? FileManager.default.removeItem(at: tmp)
      throw FourierLensError.badFile(path: path, reason: "write failed (\(error.localizedDescription))")
    }
  }

  /// Removes the temporary files that writers killed mid-write left in `dir` (not in its
  /// subdirectories): `.NAME.tmp-PID-N` files of processes that no longer run. Called when
  /// a run resumes in a directory, so repeated interruptions do not pile up garbage.
  public static func removeStaleTemporaries(in dir: String) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
    for name in names where name.hasPrefix(".") {
      guard let marker = name.range(of: ".tmp-", options: .backwards) else { continue }
      let suffix = name[marker.upperBound...].split(separator: "-")
      guard suffix.count == 2, let pid = Int32(suffix[0]), suffix[1].allSatisfy(\.isNumber) else { continue }
      if pid == getpid() || kill(pid, 0) == 0 || errno != ESRCH { continue }  // a live writer's file
      try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
    }
  }

  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// Encodes a value as pretty, key-sorted JSON and writes it atomically.
  public static func writeJSON<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try write(encoder.encode(value), to: path)
  }
}
