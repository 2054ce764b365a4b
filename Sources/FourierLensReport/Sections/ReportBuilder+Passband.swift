import FourierLens

extension ReportBuilder {
  /// Pass-band curves: accuracy of low-/high-pass filtered inputs against the cut-off
  /// radius, and of single orientation sectors kept or removed.
  mutating func passbandSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.passband != nil }
    guard !having.isEmpty else {
      absent.append("Pass-band curves: no passband probe (<code>flens probe --probe passband</code>).")
      return nil
    }
    var section = PageSection(id: "passband", title: "Pass-band accuracy")
    section.paragraph("Which frequencies does the model need without a learned mask? Inputs are filtered before the model "
                      + "(on its normalised input, like the masks): a low-pass filter keeps the radial bands below the cut-off "
                      + "radius, a high-pass filter those above it; the angular filters keep only one orientation sector "
                      + "(with DC) or remove it.")
    var csv = CSVTable(header: ["model", "filter", "x", "accuracy"])
    var radial: [LineChart.Series] = [], angular: [LineChart.Series] = []
    for i in having {
      let p = entries[i].probes.passband!
      let name = entries[i].name
      let low = zip(p.lowpassUpperRadius, p.lowpassAccuracy).map { ($0, $1 * 100) }
      let high = zip(p.highpassLowerRadius, p.highpassAccuracy).map { ($0, $1 * 100) }
      radial.append(.init(name: name, color: color(i), style: "low-pass (keep radius < cut-off)", dash: .solid, points: low))
      radial.append(.init(name: name, color: color(i), style: "high-pass (keep radius ≥ cut-off)", dash: .dashed, points: high))
      let width = p.angularSpan / Double(max(1, p.sectorStartDeg.count))
      let centres = p.sectorStartDeg.map { $0 + width / 2 }
      angular.append(.init(name: name, color: color(i), style: "only this sector", dash: .solid,
                           points: zip(centres, p.sectorOnlyAccuracy).map { ($0, $1 * 100) }))
      angular.append(.init(name: name, color: color(i), style: "this sector removed", dash: .dashed,
                           points: zip(centres, p.sectorRemovedAccuracy).map { ($0, $1 * 100) }))
      for (x, a) in zip(p.lowpassUpperRadius, p.lowpassAccuracy) { csv.append([name, "lowpass", NumberFormat.exact(x), NumberFormat.exact(a)]) }
      for (x, a) in zip(p.highpassLowerRadius, p.highpassAccuracy) { csv.append([name, "highpass", NumberFormat.exact(x), NumberFormat.exact(a)]) }
      for (x, a) in zip(p.sectorStartDeg, p.sectorOnlyAccuracy) { csv.append([name, "sector_only", NumberFormat.exact(x), NumberFormat.exact(a)]) }
      for (x, a) in zip(p.sectorStartDeg, p.sectorRemovedAccuracy) { csv.append([name, "sector_removed", NumberFormat.exact(x), NumberFormat.exact(a)]) }
    }
    let data = addCSV("passband", csv)
    let radialChart = LineChart(series: radial, x: .numeric(range: 0...1),
                                xTitle: "cut-off radius (fraction of the DC-to-corner distance)", yTitle: "accuracy (%)",
                                yRange: 0...100)
    let span = having.map { entries[$0].probes.passband!.angularSpan }.max() ?? 180
    let angularChart = LineChart(series: angular, x: .ticks((0...4).map { span * Double($0) / 4 }),
                                 xTitle: "orientation, sector centre (degrees)", yTitle: "accuracy (%)", yRange: 0...100)
    section.add([
      addSVG("passband-radial", radialChart.render(title: "Low-pass and high-pass accuracy"),
             alt: "Accuracy of low-pass and high-pass filtered inputs against the cut-off radius",
             caption: "Accuracy against the cut-off radius: solid lines low-pass (only frequencies below the cut-off), dashed "
               + "lines high-pass (only those above). A model that relies on low frequencies keeps its accuracy under strong "
               + "low-pass filtering.", data: [data]),
      addSVG("passband-angular", angularChart.render(title: "Orientation-sector accuracy"),
             alt: "Accuracy of inputs reduced to or deprived of one orientation sector",
             caption: "Accuracy with only one orientation sector kept (solid) or removed (dashed), by sector centre "
               + "(0° = horizontal frequencies).", data: [data]),
    ])
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No passband probe for \(nameList(missing)).") }
    return section
  }
}
