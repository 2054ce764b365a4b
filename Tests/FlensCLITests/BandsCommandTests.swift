import Foundation
import FourierLens
import Testing

@Suite struct BandsCommandTests {
  /// NumPy's fftfreq index → signed frequency (independent of the library's shift code).
  static func signedFrequency(_ k: Int, _ n: Int) -> Int { k < (n + 1) / 2 ? k : k - n }

  static func numbers(_ any: Any?) -> [Double]? { (any as? [Any])?.compactMap { ($0 as? NSNumber)?.doubleValue } }

  @Test func horizontalLineMaskGivesTheExpectedProfiles() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // 8×8 mask, ones at f_y = 0, f_x = 1, 2, 3 (unshifted row 0, columns 1…3).
    var mask = Tensor(zeros: [8, 8])
    for c in 1...3 { mask.data[c] = 1 }
    let path = dir.appendingPathComponent("mask.npy").path
    try NPY.write(mask, to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "4", "--angular", "4", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "not one JSON object: \(out.stdout)")
    // Radii 1, 2, 3 of a maximum √32 in 4 bands of width √2: bands 0, 1, 2, each 1/√3 of the norm.
    let radial = try #require(Self.numbers(json["radial"]))
    let third = (1.0 / 3).squareRoot()
    #expect(radial.count == 4)
    for (got, want) in zip(radial, [third, third, third, 0]) { #expect(abs(got - want) < 1e-6) }
    // All of it points along +f_x: sector 0.
    #expect(Self.numbers(json["angular"]) == [1, 0, 0, 0])
  }

  @Test func allOnesPerChannelMaskWithL1RadiusAndFold() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let c = 3, h = 9, w = 12, bands = 3, sectors = 4
    let path = dir.appendingPathComponent("ones.npy").path
    try NPY.write(Tensor(repeating: 1, shape: [c, h, w]), to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "\(bands)", "--angular", "\(sectors)",
                                "--metric", "l1", "--fold", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    // Expected: count frequencies per band with NumPy's frequency convention, energy √(count / HW).
    let maxRadius = Double(h / 2 + w / 2)
    var radialCount = [Int](repeating: 0, count: bands), sectorCount = [Int](repeating: 0, count: sectors)
    for r in 0..<h {
      for col in 0..<w {
        let fx = Double(Self.signedFrequency(col, w)), fy = -Double(Self.signedFrequency(r, h))
        radialCount[min(bands - 1, Int((abs(fx) + abs(fy)) / maxRadius * Double(bands) + 1e-9))] += 1
        if fx == 0 && fy == 0 { continue }
        var theta = atan2(fy, fx) * 180 / Double.pi
        if theta < 0 { theta += 360 }
        if theta >= 180 { theta -= 180 }
        sectorCount[Int(theta / (180 / Double(sectors)) + 1e-9) % sectors] += 1
      }
    }
    let radial = try #require(Self.numbers(json["radial"])), angular = try #require(Self.numbers(json["angular"]))
    for b in 0..<bands { #expect(abs(radial[b] - (Double(radialCount[b]) / Double(h * w)).squareRoot()) < 1e-6) }
    for s in 0..<sectors { #expect(abs(angular[s] - (Double(sectorCount[s]) / Double(h * w)).squareRoot()) < 1e-6) }
    #expect(json["metric"] as? String == "l1" && json["fold"] as? Bool == true)
  }

  @Test func dctMasksAreMeasuredFromTheCorner() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var mask = Tensor(zeros: [6, 6])
    mask.data[5] = 2  // first row, last column: horizontal, the farthest along f_x
    let path = dir.appendingPathComponent("dct.npy").path
    try NPY.write(mask, to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "2", "--angular", "3", "--transform", "dct", "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    // Radius 5 of a maximum 5√2: position 5/7.07·2 = 1.41 → band 1.
    #expect(Self.numbers(json["radial"]) == [0, 1])
    #expect(Self.numbers(json["angular"]) == [1, 0, 0])
  }

  @Test func tableOutputListsBandsAndSectors() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("m.npy").path
    try NPY.write(Tensor(repeating: 1, shape: [4, 4]), to: path)
    let out = try FlensCLI.run(["bands", path, "--radial", "2", "--angular", "2"])
    #expect(out.exitCode == 0, "\(out)")
    let lines = out.stdout.split(separator: "\n").map(String.init)
    #expect(lines.count == 1 + 1 + 2 + 1 + 2 + 1)
    // 4×4 Euclidean, 2 bands: 5 and 11 of 16 frequencies; net of the grid, all-ones is 1.
    #expect(lines[2].hasSuffix(String(format: "%.4f", (5.0 / 16).squareRoot()) + "  1.0000"))
    #expect(lines[3].hasSuffix(String(format: "%.4f", (11.0 / 16).squareRoot()) + "  1.0000"))
    #expect(lines[4].hasPrefix("sector"))
    #expect(lines[7].hasPrefix("anisotropy") && lines[7].hasSuffix("0.0000"))
  }

  /// The three profiles net of the grid against an independent NumPy implementation of
  /// their definitions (README), on random masks: DFT and DCT, both metrics, one and several planes.
  @Test(arguments: [("dft", "euclidean", [3, 11, 14], true), ("dft", "l1", [12, 9], false), ("dct", "euclidean", [9, 9], false),
                    ("dct", "l1", [2, 10, 7], false)])
  func normalizedProfilesMatchNumPy(transform: String, metric: String, shape: [Int], fold: Bool) throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var g = SeededGenerator(seed: 5)
    let mask = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUniform() * g.nextUniform() })
    let path = dir.appendingPathComponent("mask.npy").path
    try NPY.write(mask, to: path)
    let radial = 5, angular = 6
    var arguments = ["bands", path, "--radial", "\(radial)", "--angular", "\(angular)", "--metric", metric,
                     "--transform", transform, "--json"]
    if fold { arguments.append("--fold") }
    let out = try FlensCLI.run(arguments)
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json)
    let expected = dir.appendingPathComponent("expected.json").path
    try PythonScript.run(Self.numpyNormalizedProfiles, in: dir, arguments: [path, transform, metric, "\(radial)", "\(angular)",
                                                                             fold ? "1" : "0", expected])
    let want = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: expected))) as? [String: Any])
    for key in ["radial_normalized", "angular_normalized"] {
      let got = try #require(Self.numbers(json[key])), truth = try #require(Self.numbers(want[key]))
      #expect(got.count == truth.count, "\(key): \(got) vs \(truth)")
      for (a, b) in zip(got, truth) { #expect(abs(a - b) < 1e-5, "\(key): \(got) vs \(truth)") }
    }
    let anisotropy = try #require(json["anisotropy"] as? Double), truth = try #require(want["anisotropy"] as? Double)
    #expect(abs(anisotropy - truth) < 1e-5)
    #expect(truth > 0.01)  // a random mask is not isotropic: the comparison is not of zeros
  }

  static let numpyNormalizedProfiles = """
    import json, sys
    import numpy as np
    path, transform, metric, nr, na, fold, out = sys.argv[1:]
    nr, na, fold = int(nr), int(na), fold == "1"
    m = np.load(path).astype(np.float64)
    h, w = m.shape[-2:]
    e = (m.reshape(-1, h, w) ** 2).sum(axis=0)
    if transform == "dft":
        fx = np.rint(np.fft.fftfreq(w) * w)[None, :].repeat(h, 0)
        fy = -np.rint(np.fft.fftfreq(h) * h)[:, None].repeat(w, 1)
        max_r = (h // 2, w // 2)
    else:
        fx = np.arange(w)[None, :].repeat(h, 0).astype(float)
        fy = np.arange(h)[:, None].repeat(w, 1).astype(float)
        max_r = (h - 1, w - 1)
    rad = lambda x, y: np.sqrt(x * x + y * y) if metric == "euclidean" else np.abs(x) + np.abs(y)
    band = np.minimum(nr - 1, np.floor(rad(fx, fy) / rad(*max_r) * nr + 1e-9)).astype(int)
    span = 90.0 if transform == "dct" else (180.0 if fold else 360.0)
    theta = np.degrees(np.arctan2(fy, fx)) % 360.0
    if transform == "dft" and fold:
        theta = np.where(theta >= 180.0, theta - 180.0, theta)
    sector = np.floor(theta / span * na + 1e-9).astype(int)
    sector = np.minimum(sector, na - 1) if transform == "dct" else sector % na
    dc = (fx == 0) & (fy == 0)
    radial = [float(np.sqrt(e[band == b].mean() / e.mean())) for b in range(nr)]
    key = fx * fx + fy * fy if metric == "euclidean" else np.abs(fx) + np.abs(fy)
    iso = np.zeros_like(e)
    for k in np.unique(key):
        iso[key == k] = e[key == k].mean()
    angular = [float(np.sqrt(e[(sector == s) & ~dc].sum() / iso[(sector == s) & ~dc].sum())) for s in range(na)]
    a = np.array(angular)
    json.dump({"radial_normalized": radial, "angular_normalized": angular, "anisotropy": float(a.std() / a.mean())}, open(out, "w"))
    """

  @Test func badInputExitsOneNamingTheFileOrOption() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let missing = dir.appendingPathComponent("missing.npy").path
    let a = try FlensCLI.run(["bands", missing, "--radial", "2", "--angular", "2"])
    #expect(a.exitCode == 1 && a.stderr.contains(missing), "\(a)")
    let corrupt = dir.appendingPathComponent("corrupt.npy").path
    try Data("definitely not numpy".utf8).write(to: URL(fileURLWithPath: corrupt))
    let b = try FlensCLI.run(["bands", corrupt, "--radial", "2", "--angular", "2", "--json"])
    #expect(b.exitCode == 1 && b.stderr.contains(corrupt) && b.stdout.isEmpty, "\(b)")
    let vector = dir.appendingPathComponent("vector.npy").path
    try NPY.write(Tensor(shape: [3], data: [1, 2, 3]), to: vector)
    let c = try FlensCLI.run(["bands", vector, "--radial", "2", "--angular", "2"])
    #expect(c.exitCode == 1 && c.stderr.contains(vector), "\(c)")
    let nan = dir.appendingPathComponent("nan.npy").path
    try NPY.write(Tensor(shape: [2, 2], data: [1, .nan, 0, 0]), to: nan)
    let d = try FlensCLI.run(["bands", nan, "--radial", "2", "--angular", "2"])
    #expect(d.exitCode == 1 && d.stderr.contains(nan), "\(d)")
    let e = try FlensCLI.run(["bands", vector, "--radial", "0", "--angular", "2"])
    #expect(e.exitCode == 1 && e.stderr.contains("--radial"), "\(e)")
  }
}
