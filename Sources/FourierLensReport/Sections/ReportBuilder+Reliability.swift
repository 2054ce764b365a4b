import Foundation
import FourierLens

extension ReportBuilder {
  /// Grouped bars of clean / masked / complementary accuracy, one colour per model.
  func reliabilityChart(_ values: [(Int, [Double])]) -> BarChart {
    var chart = BarChart(categories: ["clean", "through the mask", "through the complement"],
                         series: values.map { BarChart.Series(name: entries[$0.0].name, color: color($0.0), values: $0.1.map { $0 * 100 }) },
                         xTitle: "input", yTitle: "accuracy (%)", yRange: 0...100)
    chart.valueLabels = values.count <= 4
    return chart
  }

  mutating func reliabilitySection() throws -> PageSection {
    var section = PageSection(id: "reliability", title: "Mask reliability")
    section.paragraph("Does the mask keep what the network needs? Accuracy on clean inputs, on inputs seen through the mask, "
                      + "and through its complement 1 − 1[M &gt; 0] (the frequencies the mask removes). A reliable mask keeps "
                      + "the masked accuracy near the clean one while the complement’s accuracy collapses.")
    var csv = CSVTable(header: ["model", "source", "clean_accuracy", "masked_accuracy", "complementary_accuracy", "count"])
    var learned: [(Int, [Double])] = []
    for (i, e) in entries.enumerated() {
      let s = e.mask.summary
      learned.append((i, [Double(s.cleanAccuracy), Double(s.maskedAccuracy), Double(s.complementaryAccuracy)]))
      csv.append([e.name, "learn-mask", NumberFormat.exact(s.cleanAccuracy), NumberFormat.exact(s.maskedAccuracy),
                  NumberFormat.exact(s.complementaryAccuracy), "\(s.imageCount)"])
    }
    var probed: [(Int, [Double])] = []
    for (i, e) in entries.enumerated() {
      guard let a = e.probes.accuracy, let m = a.maskedAccuracy, let c = a.complementaryAccuracy else { continue }
      probed.append((i, [a.cleanAccuracy, m, c]))
      csv.append([e.name, "accuracy probe", NumberFormat.exact(a.cleanAccuracy), NumberFormat.exact(m), NumberFormat.exact(c),
                  a.count.map { "\($0)" } ?? ""])
    }
    let data = addCSV("reliability", csv)
    var figures = [addSVG("reliability", reliabilityChart(learned).render(title: "Mask reliability"),
                          alt: "Clean, masked and complementary accuracy of every model",
                          caption: "Accuracy recorded by <code>flens learn-mask</code> on the images each mask was learned on.",
                          data: [data])]
    if !probed.isEmpty {
      figures.append(addSVG("reliability-probe", reliabilityChart(probed).render(title: "Mask reliability (accuracy probe)"),
                            alt: "Clean, masked and complementary accuracy from the accuracy probe",
                            caption: "The same from the accuracy probe (<code>flens probe --probe accuracy</code>), "
                              + "typically on held-out images.", data: [data]))
    }
    let missing = entries.indices.filter { i in !probed.contains { $0.0 == i } }
    if !missing.isEmpty && !probed.isEmpty {
      section.note("No accuracy probe with a mask for \(nameList(missing)).")
    }
    if probed.isEmpty {
      absent.append("Held-out mask reliability: no accuracy probe with a mask (<code>flens probe --mask DIR --probe accuracy</code>).")
    }
    section.add(figures)
    return section
  }

  /// `examples.png` of every mask directory that has one, copied into `figures/`.
  mutating func examplesSection() throws -> PageSection? {
    var section = PageSection(id: "examples", title: "Images seen through the masks")
    var figures: [PageFigure] = []
    var missing: [Int] = []
    for (i, e) in entries.enumerated() {
      guard let path = e.examplesImage else { missing.append(i); continue }
      let bytes: Data
      do {
        bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      } catch {
        throw FourierLensError.badFile(path: path, reason: "cannot be read (\(error.localizedDescription))")
      }
      let image = try PNGCodec.decode(bytes, path: path)  // refuses a corrupt file, naming it
      let h = image.shape[image.rank - 2], w = image.shape[image.rank - 1]
      let file = addPNG("examples-\(slugs[i])", bytes)
      // Small images are shown enlarged (crisp pixels) so a 32×32 image can be seen.
      let zoom = max(1, min(4, 720 / max(1, w)))
      figures.append(PageFigure(file: file, width: w * zoom, height: h * zoom, alt: "Images seen through the mask of \(e.name)",
                                caption: "<em>\(Markup.escape(e.name))</em>: originals (top row) and the same images seen "
                                  + "through the model’s mask (bottom row).", links: [], wide: w * zoom > 600))
    }
    if figures.isEmpty {
      absent.append("Images seen through the masks: no mask directory has <code>examples.png</code>.")
      return nil
    }
    section.add(figures)
    if !missing.isEmpty { section.note("No <code>examples.png</code> for \(nameList(missing)).") }
    return section
  }
}
