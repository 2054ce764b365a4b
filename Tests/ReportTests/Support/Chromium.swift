import Foundation

/// Headless Chromium (Debian's `chromium`, installed by scripts/install-deps.sh) for the
/// browser test. Each run gets its own throw-away profile directory, so runs never share
/// state and never touch a user's profile.
enum Chromium {
  struct Missing: Error, CustomStringConvertible {
    var searched: [String]
    var description: String {
      "headless Chromium is needed for the browser test but was not found (looked for \(searched.joined(separator: ", "))); "
        + "install it with scripts/install-deps.sh (Debian package `chromium`) or set FLENS_CHROMIUM to its path"
    }
  }

  struct Failed: Error, CustomStringConvertible {
    var description: String
  }

  /// `FLENS_CHROMIUM`, else the first of chromium, chromium-browser, google-chrome on PATH.
  static func executable() throws -> String {
    let env = ProcessInfo.processInfo.environment
    if let path = env["FLENS_CHROMIUM"], !path.isEmpty {
      guard FileManager.default.isExecutableFile(atPath: path) else { throw Missing(searched: [path]) }
      return path
    }
    let names = ["chromium", "chromium-browser", "google-chrome"]
    let dirs = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
    for name in names {
      for dir in dirs where FileManager.default.isExecutableFile(atPath: dir + "/" + name) { return dir + "/" + name }
    }
    throw Missing(searched: names.map { "\($0) on PATH" })
  }

  /// Runs Chromium headless on `url` with extra arguments; returns stdout. Fails on a
  /// non-zero exit or after `timeout` seconds.
  static func run(url: String, arguments: [String], timeout: TimeInterval = 120) throws -> String {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flens-chromium-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try executable())
    // --no-sandbox: the test may run as root in a container; --disable-gpu: no display.
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                         "--hide-scrollbars", "--user-data-dir=" + scratch.appendingPathComponent("profile").path]
      + arguments + [url]
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    let done = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in done.signal() }
    try process.run()
    if done.wait(timeout: .now() + timeout) == .timedOut {
      process.terminate()
      if done.wait(timeout: .now() + 5) == .timedOut { kill(process.processIdentifier, SIGKILL); done.wait() }
      throw Failed(description: "chromium did not finish within \(Int(timeout)) s on \(url)")
    }
    try out.close()
    try err.close()
    let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
    guard process.terminationStatus == 0 else {
      let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
      throw Failed(description: "chromium exited with \(process.terminationStatus) on \(url): \(stderr.suffix(2000))")
    }
    return stdout
  }
}
