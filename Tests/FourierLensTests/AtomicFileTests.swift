import Foundation
import Testing
@testable import FourierLens

@Suite struct AtomicFileTests {
  @Test func writesReplacesAndLeavesNoTemporaryFiles() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)/nested")
    let path = dir.appendingPathComponent("out.txt").path
    try AtomicFile.write("first", to: path)
    try AtomicFile.write("second", to: path)
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "second")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out.txt"])
  }

  @Test func failureLeavesExistingFileIntact() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
    let path = dir.appendingPathComponent("keep.txt").path
    try AtomicFile.write("precious", to: path)
    // A destination that is a directory cannot be replaced by a file: the write must fail cleanly.
    let blocked = dir.appendingPathComponent("sub").path
    try FileManager.default.createDirectory(atPath: blocked + "/x", withIntermediateDirectories: true)
    #expect(throws: FourierLensError.self) { try AtomicFile.write("oops", to: blocked) }
    #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    #expect(!(try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains { $0.contains(".tmp-") })
  }
}
