import Foundation
import FourierLens
import Testing

/// `flens demo`, the README's main job, run end to end with its own seed: the layout in
/// CLI.md, and the paper's headline effect on the demo's data.
@Suite(.serialized) struct DemoCommandTests {
  @Test func theDemoWritesTheReportAndShowsTheAdversarialMaskAtLowerFrequencies() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = dir.appendingPathComponent("demo-run").path
    // The debug build is slower than the release build the README uses; allow for it.
    let r = try FlensCLI.run(["demo", "--out", run, "--quiet"], timeout: 2700)
    #expect(r.exitCode == 0, "\(r)")
    // stdout is the report's path, and the report exists.
    let index = run + "/report/index.html"
    #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == index)
    let html = try String(contentsOfFile: index, encoding: .utf8)
    #expect(html.contains("adversarial") && html.contains("standard"))
    // The settings the run used, next to it.
    let settings = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: run + "/demo-settings.json"))) as? [String: Any])
    let data = try #require(settings["data"] as? [String: Any])
    #expect(data["texture_angles_deg"] as? [Double] == [0, 45, 90, 135])
    #expect(data["image_size"] as? [Int] == [1, 32, 32])
    #expect((settings["models"] as? [[String: Any]])?.map { $0["name"] as? String } == ["adversarial", "standard"])

    // The report per retention, and the index comparing them.
    for target in ["0.9", "0.95"] {
      let page = run + "/report/retention-\(target)/index.html"
      #expect(FileManager.default.fileExists(atPath: page), "missing report/retention-\(target)/index.html")
      #expect(html.contains("retention-\(target)"), "the index does not link retention \(target)")
    }

    // Masks at matched retention: one learn-mask directory per model and R, as `flens
    // learn-mask --retention` lays it out, each keeping R of the model's clean accuracy.
    for model in ["standard", "adversarial"] {
      #expect(FileManager.default.fileExists(atPath: run + "/masks/\(model)/path.csv"), "missing masks/\(model)/path.csv")
      for (target, r) in [("0.9", 0.9), ("0.95", 0.95)] {
        let mask = run + "/masks/\(model)/retention-\(target)"
        for file in ["mask.npy", "summary.json", "mask.png"] {
          #expect(FileManager.default.fileExists(atPath: mask + "/" + file), "missing \(mask)/\(file)")
        }
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: mask + "/summary.json"))) as? [String: Any])
        let clean = try #require(summary["clean_accuracy"] as? Double)
        // R is judged on the held-out validation images, and every chosen λ converged.
        let heldClean = try #require(summary["validation_clean_accuracy"] as? Double)
        let heldMasked = try #require(summary["validation_masked_accuracy"] as? Double)
        #expect(summary["target_met"] as? Bool == true, "\(mask): target not met")
        #expect(summary["converged"] as? Bool == true, "\(mask): not converged")
        #expect(heldMasked >= r * heldClean - 1e-6, "\(mask): held-out masked \(heldMasked) vs clean \(heldClean)")
        #expect(clean > 0.5, "\(mask): the model did not learn the demo data (clean \(clean))")
      }
    }

    // The headline effect at matched retention (0.95): the adversarially trained model's mask
    // puts a larger share of its energy in the lowest quarter of radial bands, with a 95 %
    // interval over seeds above zero.
    let bands = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: run + "/probes/adversarial/retention-0.95/bands.json"))) as? [String: Any])
    #expect(bands["baseline"] as? String != nil)
    let difference = try #require(bands["low_frequency_share_difference"] as? Double)
    let ci = try #require(bands["low_frequency_share_difference_ci"] as? [Double])
    #expect(ci.count == 2)
    #expect(difference > 0, "adversarial − standard low-frequency share is \(difference)")
    #expect(ci[0] > 0, "95 % interval \(ci) of the low-frequency share difference includes zero")

    // The same shares computed here from the two mask files agree in sign (an independent check
    // of the probe's arithmetic): the mean mask's share in the lowest quarter of the radius.
    func lowShare(_ model: String) throws -> Double {
      let m = try NPY.readTensor(run + "/masks/\(model)/retention-0.95/mask.npy")
      let h = m.shape[m.shape.count - 2], w = m.shape[m.shape.count - 1]
      let maxRadius = (Double(h / 2) * Double(h / 2) + Double(w / 2) * Double(w / 2)).squareRoot()
      var low = 0.0, total = 0.0
      for y in 0..<h {
        for x in 0..<w {
          // Unshifted layout: frequency index k maps to k or k − n.
          let fy = Double(y <= h / 2 ? y : y - h), fx = Double(x <= w / 2 ? x : x - w)
          let v = Double(m.data[y * w + x]), e = v * v
          total += e
          if (fy * fy + fx * fx).squareRoot() < maxRadius / 4 { low += e }
        }
      }
      return low / total
    }
    #expect(try lowShare("adversarial") > lowShare("standard"))
  }

  /// `flens demo --help` prints the generated data's settings, the same values the
  /// dataset is built with, and the training, mask and probe settings of the run.
  @Test func helpPrintsTheDemosSettings() throws {
    let r = try FlensCLI.run(["demo", "--help"])
    #expect(r.exitCode == 0, "\(r)")
    let help = r.stdout
    func row(_ label: String) -> String { help.split(separator: "\n").first { $0.hasPrefix("  " + label + " ") }.map(String.init) ?? "" }
    #expect(row("image size").contains("32×32 pixels, 1 channel"))
    #expect(row("classes").contains("\(SyntheticFrequencyDataset.classNames.count): " + SyntheticFrequencyDataset.classNames.joined(separator: " ")))
    #expect(row("images").contains("3000 train, 500 test"))
    #expect(row("pixel noise").contains(String(format: "σ = %g", Double(SyntheticFrequencyDataset.defaultNoise))))
    #expect(row("texture").contains(String(format: "amplitude %g, %g cycles/pixel", Double(SyntheticFrequencyDataset.defaultTextureAmplitude),
                                           SyntheticFrequencyDataset.textureFrequency)))
    let angles = (0 ..< 4).map { String(format: "%g°", SyntheticFrequencyDataset.textureAngle($0) * 180 / .pi) }
    #expect(row("texture angles").contains(angles.joined(separator: " ")), "\(row("texture angles"))")
    #expect(row("shape").contains(String(format: "%g", Double(SyntheticFrequencyDataset.defaultShapeReliability))))
    #expect(row("model standard").contains("smallcnn, 4 epochs, batch 128"))
    #expect(help.contains("adversarial pgd-linf:eps=0.05,alpha=0.02,steps=3"))
    #expect(row("masks").contains("free at retention 0.9 0.95"), "\(row("masks"))")
    #expect(help.contains("λ from 0.02 ×2,") && help.contains("each λ until converged (at most 40 epochs), lr 0.02,"))
    #expect(help.contains("batch 32, 300 images,") && help.contains("judged on the next 300, 3 seeds"), "\(help)")
    #expect(row("probes").contains("100 test images: accuracy"))
  }
}
