import Foundation
import FourierLens

/// The Slurm commands the executor uses (`sbatch`, `squeue`, `scancel`), run as processes:
/// Slurm is the engine, this is only its command line.
struct SlurmClient {
  /// One line of `squeue`: a job (or array task) and its state.
  struct QueuedJob: Equatable {
    /// The job id, or for an array task the array's job id.
    var jobID: String
    var state: String
  }

  /// Runs `tool` with `arguments`; returns standard output, or throws with its standard error.
  func call(_ tool: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    // Standard error goes to a file, so that neither stream can fill a pipe and block the child
    // while the other is read.
    let errURL = FileManager.default.temporaryDirectory.appendingPathComponent("flens-\(tool)-\(UUID().uuidString).err")
    guard FileManager.default.createFile(atPath: errURL.path, contents: nil), let errFile = try? FileHandle(forWritingTo: errURL) else {
      throw FourierLensError.message("cannot create a temporary file in \(FileManager.default.temporaryDirectory.path)")
    }
    defer { try? FileManager.default.removeItem(at: errURL) }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = errFile
    do { try process.run() } catch {
      throw FourierLensError.message("cannot run \(tool): \(error.localizedDescription) (is Slurm installed? see scripts/slurm-cluster.sh)")
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try? errFile.close()
    let errData = FileManager.default.contents(atPath: errURL.path) ?? Data()
    let stderr = String(decoding: errData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    guard process.terminationStatus == 0 else {
      if process.terminationStatus == 127 { throw FourierLensError.message("\(tool) not found: is Slurm installed? (see scripts/slurm-cluster.sh)") }
      throw FourierLensError.message("\(tool) failed (exit \(process.terminationStatus)): \(stderr.isEmpty ? "no message" : stderr)")
    }
    return String(decoding: outData, as: UTF8.self)
  }

  /// Submits a batch job; returns its id.
  func submit(_ arguments: [String]) throws -> String {
    let output = try call("sbatch", ["--parsable"] + arguments).trimmingCharacters(in: .whitespacesAndNewlines)
    // --parsable prints "ID" or "ID;CLUSTER".
    let id = String(output.split(separator: ";").first ?? "")
    guard !id.isEmpty, id.allSatisfy(\.isNumber) else { throw FourierLensError.message("sbatch printed '\(output)', not a job id") }
    return id
  }

  /// The jobs in the queue (pending, running, ...) among `ids`, each array task under its array's id.
  func queued(among ids: Set<String>) throws -> [QueuedJob] {
    guard !ids.isEmpty else { return [] }
    // %F: the array's job id (the job id for other jobs); %T: the state in full; --array:
    // one line per array task, pending ones too, so that tasks are counted one by one.
    let output = try call("squeue", ["--noheader", "--all", "--array", "--format=%F|%T"])
    return output.split(separator: "\n").compactMap { line in
      let parts = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2, ids.contains(parts[0]) else { return nil }
      return QueuedJob(jobID: parts[0], state: parts[1])
    }
  }

  func cancel(_ id: String) throws { _ = try call("scancel", [id]) }
}
