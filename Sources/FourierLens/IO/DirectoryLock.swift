import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An advisory lock (`flock`) that makes one process the owner of a directory it writes:
/// `flens run` on `RUN/.flens-lock`, `flens learn-mask` on `DIR/.flens-lock`.
///
/// The lock belongs to the open file, so it dies with the process that holds it: a run killed
/// outright (SIGKILL, a node lost) leaves no stale lock, and the next run simply takes it.
/// The holder writes who it is (command, host, pid, start time) into the lock file, so that a
/// refused process can name it. `flock` is advisory: it keeps `flens` processes apart, not
/// other programs; on NFS it is as reliable as the server's lock manager.
///
/// Two modes: `exclusive` (a local run, `learn-mask`) refuses every other holder; `shared`
/// (the Slurm jobs of one run and their submitter) admits other shared holders, so the jobs of
/// a run, and the tasks of an array, run side by side while a local run stays out. Shared
/// holders name themselves in a lock of their own (`task(_:of:command:)`), one per step.
public final class DirectoryLock {
  public enum Mode: Sendable { case exclusive, shared }

  /// The lock file of directory `dir`.
  public static func path(_ dir: String) -> String { dir + "/.flens-lock" }
  /// Where the shared holders of `dir` keep their own locks, one per step.
  public static func stepDirectory(_ dir: String) -> String { dir + "/.flens-locks" }

  public let file: String
  private let fd: Int32

  private init(file: String, fd: Int32) {
    self.file = file
    self.fd = fd
  }

  deinit { close(fd) }  // releases the lock

  /// Takes the lock of `dir` (created if needed) for `command`, at once or not at all:
  /// a holder already there makes it throw one line naming that holder and how to wait or
  /// stop it.
  public static func acquire(_ dir: String, mode: Mode, command: String) throws -> DirectoryLock {
    let lock = try openLockFile(path(dir), in: dir)
    guard lock.tryLock(mode) else {
      throw FourierLensError.message("\(dir) is in use by \(holders(of: dir)); wait for it to finish or stop it (a stopped or killed process releases the directory at once)")
    }
    // A shared holder clears what a killed exclusive holder recorded: while any shared lock
    // is held no exclusive one can be, so the record can only be stale.
    lock.record(mode == .exclusive ? command : nil)
    return lock
  }

  /// Takes the exclusive lock of one task (a step, as `flens run --step` names it) among the
  /// shared holders of `dir`, which must already be held shared by this process.
  public static func task(_ name: String, of dir: String, command: String) throws -> DirectoryLock {
    let stepDir = stepDirectory(dir)
    let lock = try openLockFile(stepDir + "/" + fileName(ofStep: name), in: stepDir)
    guard lock.tryLock(.exclusive) else {
      throw FourierLensError.message("step \(name) of \(dir) is already running in \(lock.holder() ?? "another process"); wait for it to finish or stop it")
    }
    lock.record(command)
    return lock
  }

  static func fileName(ofStep name: String) -> String {
    String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }) + ".lock"
  }

  private static func openLockFile(_ file: String, in dir: String) throws -> DirectoryLock {
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: dir, reason: "cannot create the directory (\(error.localizedDescription))")
    }
    let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw FourierLensError.badFile(path: file, reason: "cannot open the lock file (\(String(cString: strerror(errno))))") }
    return DirectoryLock(file: file, fd: fd)
  }

  /// `flock` without waiting; converts a held lock in place.
  private func tryLock(_ mode: Mode) -> Bool {
    while true {
      if flock(fd, (mode == .exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0 { return true }
      if errno != EINTR { return false }
    }
  }

  /// Writes who holds the lock (nil: nobody named) into the lock file.
  private func record(_ command: String?) {
    var line = ""
    if let command {
      let started = ISO8601DateFormatter().string(from: Date())
      line = "\(command) (pid \(getpid()) on \(ProcessInfo.processInfo.hostName), started \(started))\n"
    }
    _ = ftruncate(fd, 0)
    _ = line.utf8CString.withUnsafeBufferPointer { pwrite(fd, $0.baseAddress, $0.count - 1, 0) }
  }

  /// What the holder recorded, if anything.
  private func holder() -> String? {
    var bytes = [UInt8](repeating: 0, count: 4096)
    let n = pread(fd, &bytes, bytes.count, 0)
    guard n > 0 else { return nil }
    let text = String(decoding: bytes[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    return text.isEmpty ? nil : text
  }

  /// The holders of `dir`: the exclusive holder, or the steps that shared holders run now.
  private static func holders(of dir: String) -> String {
    if let lock = try? openLockFile(path(dir), in: dir), let holder = lock.holder() { return holder }
    let stepDir = stepDirectory(dir)
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: stepDir)) ?? []).sorted()
    let running: [String] = names.compactMap { name in
      // A step lock that cannot be taken is held: its holder is running now.
      guard let lock = try? openLockFile(stepDir + "/" + name, in: stepDir), !lock.tryLock(.shared) else { return nil }
      return lock.holder()
    }
    if running.isEmpty { return "another flens process (Slurm jobs of this run, or their submitter)" }
    let more = running.count > 3 ? " and \(running.count - 3) more" : ""
    return running.prefix(3).joined(separator: ", ") + more
  }
}
