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

  /// True when the paper's complement of entry `i`'s learned masks keeps (almost) no
  /// frequency: its accuracy is that of a blank input and is not shown as a finding.
  func complementIsDegenerate(_ i: Int) -> Bool { MaskReliability.isDegenerate(entries[i].mask.allValues) }

  mutating func reliabilitySection() throws -> PageSection {
    var section = PageSection(id: "reliability", title: "Mask reliability")
    section.paragraph("Does the mask keep what the network needs? Accuracy on clean inputs, on inputs seen through the mask, "
                      + "and through its complement 1 − 1[M &gt; 0] (the frequencies the mask removes). A reliable mask keeps "
                      + "the masked accuracy near the clean one while the complement’s accuracy collapses.")
    var csv = CSVTable(header: ["model", "source", "clean_accuracy", "masked_accuracy", "complementary_accuracy",
                                "complementary_degenerate", "count"])
    var learned: [(Int, [Double])] = []
    var degenerate: [Int] = []
    for (i, e) in entries.enumerated() {
      let s = e.mask.summary
      let flagged = complementIsDegenerate(i)
      if flagged { degenerate.append(i) }
      learned.append((i, [Double(s.cleanAccuracy), Double(s.maskedAccuracy), flagged ? .nan : Double(s.complementaryAccuracy)]))
      csv.append([e.name, "learn-mask", NumberFormat.exact(s.cleanAccuracy), NumberFormat.exact(s.maskedAccuracy),
                  NumberFormat.exact(s.complementaryAccuracy), flagged ? "yes" : "no", "\(s.imageCount)"])
    }
    var probed: [(Int, [Double])] = []
    for (i, e) in entries.enumerated() {
      guard let a = e.probes.accuracy, let m = a.maskedAccuracy, let c = a.complementaryAccuracy else { continue }
      let flagged = a.complementaryDegenerate ?? MaskReliability.isDegenerate(e.mask.values)
      if flagged && !degenerate.contains(i) { degenerate.append(i) }
      probed.append((i, [a.cleanAccuracy, m, flagged ? .nan : c]))
      csv.append([e.name, "accuracy probe", NumberFormat.exact(a.cleanAccuracy), NumberFormat.exact(m), NumberFormat.exact(c),
                  flagged ? "yes" : "no", a.count.map { "\($0)" } ?? ""])
    }
    if !degenerate.isEmpty {
      section.note("The complement of the mask of \(nameList(degenerate.sorted())) keeps fewer than "
                   + "\(NumberFormat.percent(MaskReliability.degenerateBelow)) % of the frequencies (the mask is positive "
                   + "almost everywhere, so 1 − 1[M &gt; 0] is all zeros): its accuracy is that of a blank image, chance by "
                   + "construction, and is left out of the charts. The top-k curves below need no threshold.")
    }
    let data = addCSV("reliability", csv)
    var figures = [addSVG("reliability", reliabilityChart(learned).render(title: "Mask reliability"),
                          alt: "Clean, masked and complementary accuracy of every model",
                          caption: "Accuracy recorded by <code>flens learn-mask</code> on the images each mask was learned on ("
                            + ImageRangeText.html(byModel: entries.map { ($0.name, $0.mask.summary.learningImages) }) + ").",
                          data: [data])]
    if !probed.isEmpty {
      figures.append(addSVG("reliability-probe", reliabilityChart(probed).render(title: "Mask reliability (accuracy probe)"),
                            alt: "Clean, masked and complementary accuracy from the accuracy probe",
                            caption: "The same from the accuracy probe (<code>flens probe --probe accuracy</code>) on "
                              + probeImagesClause(probed.map(\.0)), data: [data]))
    }
    let missing = entries.indices.filter { i in !probed.contains { $0.0 == i } }
    if !missing.isEmpty && !probed.isEmpty {
      section.note("No accuracy probe with a mask for \(nameList(missing)).")
    }
    if probed.isEmpty {
      absent.append("Mask reliability on the probes' images: no accuracy probe with a mask (<code>flens probe --mask DIR --probe accuracy</code>).")
    }
    section.add(figures)
    if let curves = try topKFigure() { section.add([curves]) }
    return section
  }

  /// Which images the accuracy probes of `indices` measured on, and whether they are held
  /// out: disjoint from the images each mask was learned on. Said only where both ranges
  /// are recorded (probes and masks of older runs record none).
  func probeImagesClause(_ indices: [Int]) -> String {
    let ranges = indices.map { (entries[$0].name, entries[$0].probes.imageRanges["accuracy"]) }
    var text = ImageRangeText.html(byModel: ranges)
    let known = indices.compactMap { i -> (Int, Bool)? in
      guard let probe = entries[i].probes.imageRanges["accuracy"], let learned = entries[i].mask.summary.learningImages
      else { return nil }
      return (i, !probe.overlaps(learned))
    }
    let inSample = known.filter { !$0.1 }.map(\.0)
    if known.count == indices.count && inSample.isEmpty {
      text += ": held out, disjoint from the images every mask was learned on."
    } else {
      if !inSample.isEmpty {
        text += "; for \(nameList(inSample)) these share images with the mask’s learning images, so they are not held out"
      }
      if known.count < indices.count {
        text += "; for \(nameList(indices.filter { i in !known.contains { $0.0 == i } })) it is not recorded whether they "
          + "overlap the learning images"
      }
      text += "."
    }
    return text
  }

  /// Accuracy keeping only the top k % of frequencies by mask value (solid) and all but
  /// them (dashed), from the accuracy probe: a reliable mask ranks what the model needs
  /// first, so the solid line rises to the clean accuracy early and the dashed one falls.
  mutating func topKFigure() throws -> PageFigure? {
    let withCurves = entries.indices.compactMap { i in entries[i].probes.accuracy?.topKCurves.map { (i, $0) } }
    guard !withCurves.isEmpty else { return nil }
    var percents: [Double] = []
    for (_, c) in withCurves { for k in c.percent where !percents.contains(k) { percents.append(k) } }
    percents.sort()
    var csv = CSVTable(header: ["model", "top_k_percent", "top_k_accuracy", "all_but_top_k_accuracy"])
    var series: [LineChart.Series] = []
    for (i, c) in withCurves {
      let x = c.percent.map { Double(percents.firstIndex(of: $0)!) }
      series.append(.init(name: entries[i].name, color: color(i), style: "only the top k %", dash: .solid,
                          points: Array(zip(x, c.top.map { $0 * 100 }))))
      series.append(.init(name: entries[i].name, color: color(i), style: "all but the top k %", dash: .dashed,
                          points: Array(zip(x, c.allBut.map { $0 * 100 }))))
      for j in c.percent.indices {
        csv.append([entries[i].name, Self.percentLabel(c.percent[j]), NumberFormat.exact(c.top[j]), NumberFormat.exact(c.allBut[j])])
      }
    }
    let data = addCSV("reliability-top-k", csv)
    let chart = LineChart(series: series, x: .categories(percents.map(Self.percentLabel)),
                          xTitle: "k: share of frequencies, ranked by mask value (%)", yTitle: "accuracy (%)", yRange: 0...100)
    return addSVG("reliability-top-k", chart.render(title: "Accuracy by the mask's top-k % of frequencies"),
                  alt: "Accuracy keeping only the top k % of frequencies by mask value, and all but them",
                  caption: "Accuracy (accuracy probe) keeping only the top k % of frequencies by mask value (solid) and "
                    + "keeping all but them (dashed); Hermitian pairs of a DFT mask count together. No threshold is involved: "
                    + "a mask that ranks what the model needs first rises early on the solid line and drops early on the dashed one.",
                  data: [data])
  }

  /// k as written in the probe's list: "5", or "2.5".
  static func percentLabel(_ k: Double) -> String { k == k.rounded() && abs(k) < 1e6 ? String(Int(k)) : NumberFormat.exact(k) }

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
