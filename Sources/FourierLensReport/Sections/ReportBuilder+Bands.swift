import Foundation
import FourierLens

/// `data/bands.json`: every model's profiles and their differences from the baseline.
struct BandsData: Encodable {
  var baseline: String
  var radialBands: Int
  var angularSectors: Int
  var metric: String
  var foldOpposite = true
  var radialBandCentres: [Double]
  var radialUnit: String
  var angularSectorCentresDeg: [Double]
  /// Per model (network): `name`, `samples`, and per measure of `BandMeasures.layout`
  /// (`radial`, `angular`, `low_frequency_share`, `radial_normalized`, `angular_normalized`,
  /// `anisotropy`) its value, `_ci` (over the network's samples, when it has several),
  /// `_difference` and `_difference_ci` (its condition's, against the baseline's); null
  /// where undefined.
  var models: [JSONValue]
  /// Per condition (kind of training): its networks, mean profiles and differences, with
  /// hierarchical intervals (`BandMeasures.layout` keys, `_ci`, `_difference`, `_difference_ci`).
  var conditions: [JSONValue]
  /// What the intervals of differences cover: "networks and mask samples", "mask samples of one network", or "mixed".
  var intervalsCover: String

  enum CodingKeys: String, CodingKey {
    case baseline, radialBands = "radial_bands", angularSectors = "angular_sectors", metric, foldOpposite = "fold_opposite"
    case radialBandCentres = "radial_band_centres", radialUnit = "radial_unit"
    case angularSectorCentresDeg = "angular_sector_centres_deg", models, conditions, intervalsCover = "intervals_cover"
  }
}

extension ReportBuilder {
  /// Band centres along the radial axis and their unit: cycles per image (DFT) or DCT
  /// index when all masks share one plane size and transform, else a fraction of the
  /// distance from DC to the farthest frequency.
  func radialBandCentres() -> (centres: [Double], unit: String) {
    let n = bands.settings.radial
    let planes = Set(entries.map { "\($0.mask.transform.rawValue) \($0.mask.shape.suffix(2).map(String.init).joined(separator: "x"))" })
    let fractions = (0..<n).map { (Double($0) + 0.5) / Double(n) }
    guard planes.count == 1 else { return (fractions, "fraction of the distance from DC to the corner") }
    let m = baselineEntry.mask, shape = m.shape
    let r = FrequencyBands.maximumRadius(height: shape[shape.count - 2], width: shape[shape.count - 1],
                                         metric: bands.settings.metric, transform: m.transform)
    return (fractions.map { $0 * r }, m.transform == .dft ? "cycles/image" : "DCT index")
  }

  var angularSpan: Double { FrequencyBands.angularSpan(foldOpposite: true, transform: baselineEntry.mask.transform) }

  func angularSectorCentres() -> [Double] {
    let n = bands.settings.angular
    return (0..<n).map { angularSpan * (Double($0) + 0.5) / Double(n) }
  }

  mutating func bandSection() throws -> PageSection {
    var section = PageSection(id: "bands", title: "Band energies")
    let settings = bands.settings
    let (centres, unit) = radialBandCentres()
    let angles = angularSectorCentres()
    let layout = BandMeasures.layout(radial: settings.radial, angular: settings.angular)
    func measures(_ m: MeasuredBands, suffix: String) -> [String: JSONValue] {
      var out: [String: JSONValue] = [:]
      for part in layout {
        let values = part.range.map { m.values[$0].isFinite ? JSONValue.number(m.values[$0]) : .null }
        let key = part.measure.rawValue + suffix
        out[key] = part.measure.isScalar ? values[0] : .array(values)
        if let intervals = m.intervals {
          let pairs = part.range.map { intervals[$0].map { JSONValue.numbers([$0.lowerBound, $0.upperBound]) } ?? .null }
          out[key + "_ci"] = part.measure.isScalar ? pairs[0] : .array(pairs)
        }
      }
      return out
    }
    let models = entries.indices.map { i -> JSONValue in
      var object = measures(bands.profiles[i].measured, suffix: "")
      if let d = bands.differences[i] { object.merge(measures(d, suffix: "_difference")) { $1 } }
      object["name"] = .string(entries[i].name)
      object["samples"] = .number(Double(bands.profiles[i].samples))
      return .object(object)
    }
    let conditions = bands.conditions.map { c -> JSONValue in
      var object = measures(c.profile, suffix: "")
      if let d = c.difference { object.merge(measures(d, suffix: "_difference")) { $1 } }
      object["name"] = .string(c.name)
      object["networks"] = .array(c.members.map { .string(entries[$0].name) })
      return .object(object)
    }
    let cover = switch bands.coverage {
    case .networks: "networks and mask samples"
    case .oneNetworkEach: "mask samples of one network"
    case .mixed: "mixed"
    }
    let json = try addJSON("bands", BandsData(baseline: baselineEntry.name, radialBands: settings.radial,
                                              angularSectors: settings.angular, metric: settings.metric.rawValue,
                                              radialBandCentres: centres, radialUnit: unit,
                                              angularSectorCentresDeg: angles, models: models, conditions: conditions,
                                              intervalsCover: cover))
    var csv = CSVTable(header: ["model", "profile", "band", "centre", "energy", "ci_low", "ci_high", "difference",
                                "difference_ci_low", "difference_ci_high"])
    func cell(_ v: Double?) -> String { v.flatMap { $0.isFinite ? NumberFormat.exact($0) : nil } ?? "" }
    for (i, e) in entries.enumerated() {
      let p = bands.profiles[i].measured, d = bands.differences[i]
      for part in BandMeasures.layout(radial: settings.radial, angular: settings.angular) {
        let centre: (Int) -> Double? = part.measure.isRadial ? { centres[$0] }
          : part.measure.isAngular ? { angles[$0] } : { _ in nil }
        for (band, k) in part.range.enumerated() {
          csv.append([e.name, part.measure.rawValue, "\(band)", cell(centre(band)), cell(p.values[k]), cell(p.intervals?[k]?.lowerBound),
                      cell(p.intervals?[k]?.upperBound), cell(d?.values[k]), cell(d?.intervals?[k]?.lowerBound),
                      cell(d?.intervals?[k]?.upperBound)])
        }
      }
    }
    let csvPath = addCSV("bands", csv)
    let data = [csvPath, json]

    let several = bands.conditions.contains { $0.profile.intervals != nil }
    section.paragraph("Band energy as in Karantzas et al. (2022): the mask is divided by its L2 norm and a band’s energy is the "
                      + "L2 norm of the mask inside it. \(settings.radial) radial bands of equal width run from DC to the "
                      + "farthest frequency (Euclidean radius); \(settings.angular) angular sectors cover "
                      + "\(Int(angularSpan))° counter-clockwise from the horizontal frequency axis"
                      + (baselineEntry.mask.transform == .dft ? ", opposite directions folded together" : "") + ". "
                      + "Each bar is a model’s mean: over its trained networks (named <code>NAME@k</code>), of each network’s "
                      + "mean over its mask samples. "
                      + (several ? IntervalCoverage.differenceSentence(bands.coverage)
                                 : "Each model has one mask, so there are no error bars; learn with <code>--seeds K</code> to get them."))

    let radialLabels = centres.map { unit == "fraction of the distance from DC to the corner" ? NumberFormat.fixed($0, 2) : NumberFormat.fixed($0, 1) }
    let angularLabels = angles.map { NumberFormat.fixed($0, angles.count > 8 ? 0 : 1) }
    let radialTitle = "radial frequency, band centre (\(unit))"
    let angularTitle = "orientation, sector centre (degrees)"

    /// One series per condition: its mean with its interval, and with several networks each network's value as a dot.
    func profileSeries(_ values: (MeasuredBands) -> [Double],
                       _ intervals: (MeasuredBands) -> [ClosedRange<Double>?]?) -> [BarChart.Series] {
      bands.conditions.map { c in
        let own = values(c.profile)
        let points = c.networks > 1 ? own.indices.map { k in c.members.map { values(bands.profiles[$0].measured)[k] } } : nil
        return BarChart.Series(name: c.name, color: color(c.members[0]), values: own, intervals: intervals(c.profile),
                               points: points)
      }
    }
    var figures: [PageFigure] = []
    let radialChart = BarChart(categories: radialLabels, series: profileSeries({ $0.radial }, { $0.radialInterval }),
                               xTitle: radialTitle, yTitle: "band energy (fraction of mask norm)")
    figures.append(addSVG("bands-radial", radialChart.render(title: "Radial band energies"),
                          alt: "Radial band energies of every model's mask",
                          caption: "Radial profile: energy of each radial band of the mask, low frequencies on the left.",
                          data: data))
    // Directions net of the grid: raw sector energies carry the square grid (an all-ones
    // mask already favours the diagonals), so the figures show them relative to the mask's
    // isotropic copy; the raw ones stay in the data files.
    let angularChart = BarChart(categories: angularLabels,
                                series: profileSeries({ $0.angularNormalized }, { $0.angularNormalizedInterval }),
                                xTitle: angularTitle, yTitle: "sector energy ÷ isotropic copy’s")
    figures.append(addSVG("bands-angular", angularChart.render(title: "Angular sector energies, net of the grid"),
                          alt: "Angular sector energies of every model's mask relative to its isotropic copy",
                          caption: "Angular profile net of the grid: each orientation sector’s energy divided by that of the mask’s "
                            + "isotropic copy (every frequency set to the RMS of the mask over its radius), so 1 everywhere is a mask "
                            + "without a preferred direction, on any grid (0° = horizontal frequencies, i.e. vertical structures in "
                            + "the image). Raw sector energies: <code>angular</code> in the data files.",
                          data: data))

    let compared = bands.conditions.indices.filter { bands.conditions[$0].difference != nil }
    if !compared.isEmpty {
      let baselineName = bands.conditions[bands.baselineCondition].name
      /// Per compared condition: the difference of means; dots, with several networks, are each network's mean minus the baseline condition's mean.
      func differenceSeries(_ values: (MeasuredBands) -> [Double],
                            _ intervals: (MeasuredBands) -> [ClosedRange<Double>?]?) -> [BarChart.Series] {
        let baseMean = values(bands.conditions[bands.baselineCondition].profile)
        return compared.map { ci in
          let c = bands.conditions[ci], d = c.difference!
          let points = c.networks > 1
            ? baseMean.indices.map { k in c.members.map { values(bands.profiles[$0].measured)[k] - baseMean[k] } } : nil
          return BarChart.Series(name: "\(c.name) − \(baselineName)", color: color(c.members[0]), values: values(d),
                                 intervals: intervals(d), points: points)
        }
      }
      let ci = compared.contains { bands.conditions[$0].difference?.intervals != nil }
      let ciText = ci ? " " + IntervalCoverage.differenceSentence(bands.coverage) : ""
      let radialDiff = BarChart(categories: radialLabels, series: differenceSeries({ $0.radial }, { $0.radialInterval }),
                                xTitle: radialTitle, yTitle: "difference of band energy")
      figures.append(addSVG("bands-radial-difference", radialDiff.render(title: "Radial band energy differences"),
                            alt: "Radial band energy differences from the baseline",
                            caption: "Radial profile minus the baseline’s (<em>\(Markup.escape(baselineName))</em>): positive bars are bands the model’s mask weights more." + ciText,
                            data: data))
      let angularDiff = BarChart(categories: angularLabels,
                                 series: differenceSeries({ $0.angularNormalized }, { $0.angularNormalizedInterval }),
                                 xTitle: angularTitle, yTitle: "difference of sector energy ÷ isotropic copy’s")
      figures.append(addSVG("bands-angular-difference", angularDiff.render(title: "Angular sector energy differences, net of the grid"),
                            alt: "Differences from the baseline of the angular profiles net of the grid",
                            caption: "Angular profile net of the grid minus the baseline’s." + ciText, data: data))
    }
    section.add(figures)
    if let note = IntervalCoverage.oneNetworkNote(bands.coverage), several { section.note(note) }
    return section
  }
}
