import Foundation
@testable import FourierLens
import Testing

/// The probe kinds are declared once (`ProbeKind.all`): `flens probe --help`, README's probe
/// table and the experiment reader all follow the declarations, and a test fails when one drifts.
@Suite struct ProbeKindDeclarationTests {
  @Test func helpAndREADMEListExactlyTheDeclaredKindsWithTheirDefaults() throws {
    let names = ProbeKind.all.map(\.name)
    #expect(Set(names).count == names.count, "a probe name declared twice: \(names)")
    let help = try FlensCLI.run(["probe", "--help"])
    #expect(help.exitCode == 0)
    let readme = try String(contentsOf: FlensCLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
    // README's probe table: the rows between its header and the first line that is not a row.
    let lines = readme.components(separatedBy: "\n")
    let header = try #require(lines.firstIndex { $0.hasPrefix("| probe |") }, "README has no probe table")
    let rows = lines[(header + 2)...].prefix { $0.hasPrefix("| `") }
    let documented = rows.map { row in String(row.dropFirst(3).prefix { $0 != "`" }).replacingOccurrences(of: "\\|", with: "|") }
    #expect(documented == ProbeKind.all.map(\.signature), "README's probe table does not list the declared probes")
    for kind in ProbeKind.all {
      #expect(help.stdout.contains("  " + kind.signature + "\n"), "flens probe --help lacks \(kind.signature)")
      for p in kind.parameters where !p.required {
        // Every default reads as its parameter's type (an empty default: none).
        if let d = p.defaultValue, !d.isEmpty { #expect(throws: Never.self) { try ProbeArguments.check(d, of: p, option: kind.name) } }
      }
      if kind.plugin == nil, !kind.parameters.contains(where: \.required) {
        #expect(throws: Never.self, "\(kind.name) with every default") { _ = try ProbeFactory.parse(kind.name) }
      }
    }
  }

  @Test func misspeltNamesGetTheNearestDeclaredOne() throws {
    #expect(performing: { _ = try ProbeFactory.parse("bands:radail=8") },
            throws: { "\($0)".contains("unknown option 'radail'; did you mean 'radial'?") })
    #expect(performing: { _ = try ProbeFactory.parse("band") }, throws: { "\($0)".contains("did you mean 'bands'?") })
    #expect(performing: { _ = try ProbeFactory.parse("heatmap:through_mask=maybe") },
            throws: { "\($0)".contains("through_mask=maybe is not true or false") })
    #expect(performing: { _ = try ProbeFactory.parse("passband:transform=fft") },
            throws: { "\($0)".contains("transform must be dft or dct") })
    // The experiment reader checks the same declarations before any work.
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("exp.yaml")
    try "name: x\ndata: {path: \(dir.path)}\nmodels: {m: {arch: smallcnn}}\nprobes: {run: [\"bands:radail=8\"]}\n"
      .write(to: file, atomically: true, encoding: .utf8)
    let run = try FlensCLI.run(["run", file.path, "--out", dir.appendingPathComponent("run").path])
    #expect(run.exitCode == 1 && run.stderr.contains("did you mean 'radial'?"), "\(run)")
  }
}
