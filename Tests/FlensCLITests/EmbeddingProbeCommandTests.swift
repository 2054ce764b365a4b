import Foundation
import FourierLens
import Testing

/// `embedding` through the real binary on an imported linear TorchScript model: image masks
/// from `learn-mask --scope image` give the documented files and keys; a dataset mask is
/// refused with one line; an experiment file runs it and its report shows the scatter plot.
/// (Its numbers are checked against planted masks and NumPy in FourierLensTorchTests.)
@Suite struct EmbeddingProbeCommandTests {
  @Test func probeWritesTheEmbeddingAndRefusesADatasetMask() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 12)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let dir = fixture.directory.path
    let learned = try FlensCLI.run(["learn-mask", "--model", fixture.model, "--data", fixture.data, "--scope", "image",
                                    "--epochs", "5", "--threads", "1", "--out", dir + "/image-masks"])
    #expect(learned.exitCode == 0, "\(learned)")
    let probe = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--mask", dir + "/image-masks",
                                  "--probe", "embedding:seeds=3", "--threads", "1", "--out", dir + "/probes", "--json"])
    #expect(probe.exitCode == 0, "\(probe)")
    let json = try #require(probe.json?["embedding"] as? [String: Any])
    #expect(json["images"] as? Double == 12 && json["features"] as? String == "mask")
    let pca = try #require(json["pca"] as? [String: Any]), linear = try #require(json["linear_probe"] as? [String: Any])
    #expect(pca["centred"] as? Bool == true && (pca["explained_variance"] as? [Double])?.count == 2)
    #expect(linear["chance"] as? Double == 0.5 && (linear["accuracy"] as? [String: Any])?["mean"] is Double
            && (linear["shuffled_accuracy"] as? [String: Any])?["ci"] is [Double])
    #expect(try NPY.readTensor(dir + "/probes/embedding.coordinates.npy").shape == [12, 2])
    #expect(try NPY.readTensor(dir + "/probes/embedding.explained_variance.npy").shape == [2])
    let csv = try String(contentsOfFile: dir + "/probes/embedding.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.first == "image,class,pc1,pc2" && csv.count == 13, "\(csv)")

    let dataset = try FlensCLI.run(["learn-mask", "--model", fixture.model, "--data", fixture.data, "--epochs", "1",
                                    "--threads", "1", "--out", dir + "/dataset-mask"])
    #expect(dataset.exitCode == 0, "\(dataset)")
    let refused = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--mask", dir + "/dataset-mask",
                                    "--probe", "embedding", "--threads", "1", "--out", dir + "/refused"])
    #expect(refused.exitCode == 1 && refused.stderr.split(separator: "\n").count == 1
            && refused.stderr.contains("dataset-mask") && refused.stderr.contains("--scope image"), "\(refused)")
  }

  @Test func experimentRunsTheProbeAndTheReportShowsTheScatterPlot() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 12)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "embedding", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"scope": "image", "epochs": 5, "images": 12}, "probes": {"images": 12, "run": ["embedding:seeds=2"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    #expect(try NPY.readTensor(out + "/probes/linear/embedding.coordinates.npy").shape == [12, 2])
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Image masks: embedding and linear probe") && html.contains("figures/embedding-linear.svg"))
    let svg = try String(contentsOfFile: out + "/report/figures/embedding-linear.svg", encoding: .utf8)
    #expect(svg.contains("% of variance") && svg.contains("<circle"), "axis titles with the explained variance, one marker per image")
    let csv = try String(contentsOfFile: out + "/report/data/embedding-probe.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 3 && csv[1].hasPrefix("linear,true,2,") && csv[2].hasPrefix("linear,shuffled,2,"), "\(csv)")
  }
}

/// `image_masks:` beside dataset masks: the experiment's image masks are `flens learn-mask
/// --scope image` with the same settings (the same bytes), `embedding` embeds them and all
/// their images (not the probes' fewer images), the chunks they were learned in are gone,
/// and a second run learns nothing.
@Suite struct ImageMaskExperimentCommandTests {
  @Test func experimentLearnsImageMasksBesideDatasetMasksAndEmbedsThem() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 12)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "image-masks", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"epochs": 1, "lambda": 0.02, "images": 12}, "image_masks": {"images": 12, "epochs": 5, "batch": 8},"#)
      .appending(#" "probes": {"images": 4, "run": ["accuracy", "embedding:seeds=2", "embedding:seeds=2,log=true"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let imageMasks = out + "/image-masks/linear"
    #expect(try NPY.readTensor(imageMasks + "/mask.npy").shape.first == 12)
    #expect(try NPY.readTensor(out + "/masks/linear/mask.npy").shape == [16, 16], "the dataset mask stays one mask")
    #expect(!FileManager.default.fileExists(atPath: imageMasks + "/.image-chunks"))

    let direct = fixture.directory.appendingPathComponent("direct").path
    let learned = try FlensCLI.run(["learn-mask", "--model", fixture.model, "--data", fixture.data, "--scope", "image", "--images", "12",
                                    "--epochs", "5", "--batch", "8", "--threads", "1", "--out", direct])
    #expect(learned.exitCode == 0, "\(learned)")
    for name in ["mask.npy", "theta.npy"] {
      let a = FileManager.default.contents(atPath: imageMasks + "/" + name)
      #expect(a != nil && a == FileManager.default.contents(atPath: direct + "/" + name), "\(name)")
    }

    // Two embedding specs: each writes under its options and each embeds the image masks.
    for stem in ["embedding_seeds=2", "embedding_seeds=2,log=true"] {
      #expect(try NPY.readTensor(out + "/probes/linear/\(stem).coordinates.npy").shape == [12, 2], "\(stem)")
    }
    let accuracy = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/probes/linear/accuracy.json"))) as? [String: Any]
    #expect(accuracy?["count"] as? Double == 4, "the other probes keep probes.images: \(String(describing: accuracy))")

    let again = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(again.exitCode == 0 && again.stderr.contains("image masks linear: cached"), "\(again)")
  }
}

/// Image masks do not depend on the seed: `--seeds 2` gives the same masks twice, a zero
/// standard deviation, and a line on the terminal that says so.
@Suite struct ImageMaskSeedCommandTests {
  @Test func seedsOfImageMasksAreTheSameMasksAndTheCommandSaysSo() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 6)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let out = fixture.directory.appendingPathComponent("masks").path
    let run = try FlensCLI.run(["learn-mask", "--model", fixture.model, "--data", fixture.data, "--scope", "image",
                                "--epochs", "5", "--seeds", "2", "--threads", "1", "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    #expect(run.stderr.contains("image masks do not depend on the seed") && run.stderr.contains("one seed is enough"), "\(run.stderr)")
    #expect(FileManager.default.contents(atPath: out + "/seeds/0/mask.npy") == FileManager.default.contents(atPath: out + "/seeds/1/mask.npy"))
    #expect(try NPY.readTensor(out + "/mask_std.npy").data.allSatisfy { $0 == 0 })
  }
}
