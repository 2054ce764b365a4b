import FourierLens

/// One row of the summary table, as written to `data/summary.json`. Values keep the
/// type of the file they come from (Float from `summary.json`, Double from probes), so
/// the table, this file and the inputs agree digit for digit.
struct SummaryRow: Encodable {
  var model: String
  var isBaseline: Bool
  var arch: String?
  var transform: String
  var param: String
  var scope: String
  var maskShape: [Int]
  var maskCount: Int
  var cleanAccuracy: Float
  var maskedAccuracy: Float
  var complementaryAccuracy: Float
  /// True when the complement keeps (almost) no frequency: the accuracy above is chance by construction.
  var complementaryDegenerate: Bool
  var sparsity: Float
  /// Masked / clean accuracy: what the comparison holds fixed when masks are learned with
  /// `--retention`, and what must be close for a fixed-λ comparison to mean anything.
  var retention: Float
  /// `--retention`: the target R the mask was chosen for.
  var retentionTarget: Float?
  /// Whether every mask met its accuracy target (false: the keep rule failed).
  var targetMet: Bool?
  var lambda: Float
  var epochsRun: Int
  /// Masks the band statistics were taken over (seeds, or class/image masks).
  var samples: Int
  var lowFrequencyShare: Double
  var lowFrequencyShareDifference: Double?
  var lowFrequencyShareDifferenceCI: [Double]?
  /// Robust accuracy by attack (spec as recorded by the attack probe).
  var robustAccuracy: [String: Double]
  var maskDirectory: String
  var probeDirectory: String?
  /// Which images stand behind the numbers (see SummaryRow+Images.swift); nil where older runs did not record it.
  var learningRetention: Float? = nil
  var validationRetention: Float? = nil
  var validationCleanAccuracy: Float? = nil
  var validationMaskedAccuracy: Float? = nil
  var learningImages: ImageRange? = nil
  var validationImages: ImageRange? = nil
  var converged: Bool? = nil
  var unconvergedSeeds: [UInt64]? = nil
  var probeImages: [String: ImageRange]? = nil

  enum CodingKeys: String, CodingKey {
    case model, isBaseline = "is_baseline", arch, transform, param, scope, maskShape = "mask_shape", maskCount = "mask_count"
    case cleanAccuracy = "clean_accuracy", maskedAccuracy = "masked_accuracy", complementaryAccuracy = "complementary_accuracy"
    case complementaryDegenerate = "complementary_degenerate", sparsity, retention, retentionTarget = "retention_target"
    case targetMet = "target_met", lambda
    case epochsRun = "epochs_run", samples, lowFrequencyShare = "low_frequency_share"
    case lowFrequencyShareDifference = "low_frequency_share_difference"
    case lowFrequencyShareDifferenceCI = "low_frequency_share_difference_ci"
    case robustAccuracy = "robust_accuracy", maskDirectory = "mask_directory", probeDirectory = "probe_directory"
    case learningRetention = "learning_retention", validationRetention = "validation_retention"
    case validationCleanAccuracy = "validation_clean_accuracy", validationMaskedAccuracy = "validation_masked_accuracy"
    case learningImages = "learning_images", validationImages = "validation_images", converged
    case unconvergedSeeds = "unconverged_seeds", probeImages = "probe_images"
  }
}

/// `data/summary.json`.
struct SummaryData: Encodable {
  var baseline: String
  var radialBands: Int
  var angularSectors: Int
  var lowFrequencyBands: Int
  var models: [SummaryRow]

  enum CodingKeys: String, CodingKey {
    case baseline, radialBands = "radial_bands", angularSectors = "angular_sectors"
    case lowFrequencyBands = "low_frequency_bands", models
  }
}

extension ReportBuilder {
  /// The attack labels present in any entry, in a stable order.
  var attackLabels: [String] {
    var labels: [String] = []
    for e in entries { for a in e.probes.attacks where !labels.contains(a.label) { labels.append(a.label) } }
    return labels
  }

  func summaryRows() -> [SummaryRow] {
    entries.enumerated().map { i, e in
      let s = e.mask.summary
      let p = bands.profiles[i], d = bands.differences[i]
      var robust: [String: Double] = [:]
      for a in e.probes.attacks { robust[a.label] = a.robustAccuracy }
      return SummaryRow(
        model: e.name, isBaseline: i == baseline, arch: e.model?.arch, transform: s.transform.rawValue, param: s.param,
        scope: s.scope.rawValue, maskShape: s.maskShape, maskCount: s.maskCount, cleanAccuracy: s.cleanAccuracy,
        maskedAccuracy: s.maskedAccuracy, complementaryAccuracy: s.complementaryAccuracy,
        complementaryDegenerate: complementIsDegenerate(i), sparsity: s.sparsity,
        retention: s.retention, retentionTarget: s.retentionTarget,
        targetMet: s.targetMet, lambda: s.lambda, epochsRun: s.epochsRun, samples: p.samples, lowFrequencyShare: p.measured.lowFrequencyShare,
        lowFrequencyShareDifference: d?.lowFrequencyShare,
        lowFrequencyShareDifferenceCI: d?.lowFrequencyShareInterval.map { [$0.lowerBound, $0.upperBound] },
        robustAccuracy: robust, maskDirectory: e.mask.directory, probeDirectory: e.probes.directory
      ).recordingImages(of: s, probes: e.probes)
    }
  }

  mutating func summarySection() throws -> PageSection {
    let rows = summaryRows()
    let settings = bands.settings
    let jsonPath = try addJSON("summary", SummaryData(baseline: baselineEntry.name, radialBands: settings.radial,
                                                      angularSectors: settings.angular, lowFrequencyBands: settings.lowBands,
                                                      models: rows))
    let attacks = attackLabels
    var csv = CSVTable(header: ["model", "baseline", "arch", "transform", "param", "scope", "clean_accuracy", "masked_accuracy",
                                "complementary_accuracy", "retention", "retention_target", "target_met", "lambda",
                                "sparsity", "epochs_run", "samples", "low_frequency_share",
                                "low_frequency_share_difference", "ci_low", "ci_high"] + attacks.map { "robust_accuracy[\($0)]" })
    csv.header += SummaryRow.imageColumns
    for r in rows {
      let cells: [String] = [r.model, r.isBaseline ? "yes" : "no", r.arch ?? "", r.transform, r.param, r.scope,
                  NumberFormat.exact(r.cleanAccuracy), NumberFormat.exact(r.maskedAccuracy),
                  NumberFormat.exact(r.complementaryAccuracy), NumberFormat.exact(r.retention),
                  r.retentionTarget.map(NumberFormat.exact) ?? "", r.targetMet.map { $0 ? "yes" : "no" } ?? "",
                  NumberFormat.exact(r.lambda), NumberFormat.exact(r.sparsity), "\(r.epochsRun)", "\(r.samples)",
                  NumberFormat.exact(r.lowFrequencyShare), r.lowFrequencyShareDifference.map(NumberFormat.exact) ?? "",
                  r.lowFrequencyShareDifferenceCI.map { NumberFormat.exact($0[0]) } ?? "",
                  r.lowFrequencyShareDifferenceCI.map { NumberFormat.exact($0[1]) } ?? ""]
                 + attacks.map { r.robustAccuracy[$0].map(NumberFormat.exact) ?? "" }
      csv.append(cells + r.imageCells)
    }
    let csvPath = addCSV("summary", csv)

    let showArch = rows.contains { $0.arch != nil }
    var html = "<div class=\"table-wrap\"><table class=\"numbers\" id=\"summary-table\">\n"
    html += "<caption>Accuracies (in %) are those recorded by <code>flens learn-mask</code> on the images the mask was "
    html += "learned on: clean, seen through the mask, and through its complement 1 − 1[M &gt; 0] (n/a where that "
    html += "complement keeps almost no frequency: a blank input, chance by construction); retention is "
    html += "masked / clean, on the learning images and on held-out validation images (with <code>--retention R</code>, "
    html += "the mask is the sparsest whose retention on the validation images, or without them the learning images, "
    html += "is ≥ R). “not converged”: the λ behind the mask stopped at the epoch cap. Sparsity is "
    html += "‖M‖₁/‖M₀‖₁. Low-frequency share: fraction of the L2-normalised mask’s squared energy in the lowest "
    html += "\(settings.lowBands) of \(settings.radial) radial bands (mean over the samples: seeds, or class/image masks). "
    html += "Δ is the difference of the model’s mean (over its trained networks <code>NAME@k</code>, when it has several) "
    html += "from the baseline’s <em>\(Markup.escape(bands.conditions[bands.baselineCondition].name))</em>, with a 95 % "
    html += "interval when there are several samples. " + IntervalCoverage.differenceSentence(bands.coverage)
    html += " Robust accuracy from the attack probes. \(imagesSentence(rows)) "
    html += "[<a href=\"\(jsonPath)\">data JSON</a> · <a href=\"\(csvPath)\">data CSV</a>]</caption>\n<thead><tr>"
    // Two header rows (booktabs style): groups with units above, columns below.
    let two = " rowspan=\"2\""
    html += "<th class=\"text\"\(two)>Model</th>"
    if showArch { html += "<th class=\"text\"\(two)>Architecture</th>" }
    html += "<th class=\"text\"\(two)>Mask</th><th colspan=\"5\" class=\"group\">Accuracy (%)</th>"
    html += "<th\(two)>Sparsity</th><th\(two)>Epochs</th><th\(two)>Samples</th>"
    html += "<th colspan=\"2\" class=\"group\">Low-frequency share</th>"
    if !attacks.isEmpty { html += "<th colspan=\"\(attacks.count)\" class=\"group\">Robust accuracy (%)</th>" }
    html += "</tr>\n<tr><th>Clean</th><th>Masked</th><th>Compl.</th><th>Retention (learning)</th>"
    html += "<th>Retention (held out)</th><th>Share</th><th>Δ vs baseline [95 % CI]</th>"
    // Attack specs may break after their commas, so a long spec does not widen the table.
    for a in attacks { html += "<th>\(Markup.escape(a).replacingOccurrences(of: ",", with: ",<wbr>"))</th>" }
    html += "</tr></thead>\n<tbody>\n"
    for (i, r) in rows.enumerated() {
      func cell(_ key: String, _ value: String, _ text: String, _ extra: String = "") -> String {
        "<td data-model=\"\(Markup.escape(r.model))\" data-key=\"\(key)\" data-value=\"\(value)\"\(extra)>\(text)</td>"
      }
      html += "<tr data-model=\"\(Markup.escape(r.model))\"><td class=\"text\">\(swatchName(i))</td>"
      if showArch { html += "<td class=\"text\">\(Markup.escape(r.arch ?? "–"))</td>" }
      let shape = r.maskShape.map(String.init).joined(separator: "×") + (r.maskCount > 1 ? " ×\(r.maskCount) (\(r.scope))" : "")
      html += "<td class=\"text\">\(Markup.escape("\(r.transform) · \(r.param) · \(shape)"))</td>"
      html += cell("clean_accuracy", NumberFormat.exact(r.cleanAccuracy), NumberFormat.percent(Double(r.cleanAccuracy)))
      html += cell("masked_accuracy", NumberFormat.exact(r.maskedAccuracy), NumberFormat.percent(Double(r.maskedAccuracy)))
      if r.complementaryDegenerate {
        // Chance by construction (the complement is all zeros): not shown as a finding.
        html += cell("complementary_accuracy", NumberFormat.exact(r.complementaryAccuracy), "n/a",
                     " class=\"degenerate\" title=\"the complement 1 − 1[M > 0] keeps (almost) no frequency; see Mask reliability\"")
      } else {
        html += cell("complementary_accuracy", NumberFormat.exact(r.complementaryAccuracy),
                     NumberFormat.percent(Double(r.complementaryAccuracy)))
      }
      // The target and whether it was met go beside the retention that judged it.
      var targetText = ""
      if let target = r.retentionTarget { targetText += " <span class=\"ci\">(R \(NumberFormat.percent(Double(target))) %)</span>" }
      if r.targetMet == false { targetText += " <strong class=\"flag\">target not met</strong>" }
      let judgedHeldOut = r.validationRetention != nil
      html += cell("retention", NumberFormat.exact(r.retention),
                   NumberFormat.percent(Double(r.retention)) + (judgedHeldOut ? "" : targetText))
      html += r.validationRetention.map {
        cell("validation_retention", NumberFormat.exact($0), NumberFormat.percent(Double($0)) + targetText)
      } ?? "<td data-model=\"\(Markup.escape(r.model))\" data-key=\"validation_retention\" title=\"no validation images\">–</td>"
      html += cell("sparsity", NumberFormat.exact(r.sparsity), NumberFormat.fixed(Double(r.sparsity), 3))
      let unconverged = r.converged == false || r.unconvergedSeeds?.isEmpty == false
      html += cell("epochs_run", "\(r.epochsRun)",
                   "\(r.epochsRun)" + (unconverged ? " <strong class=\"flag\">not converged</strong>" : ""),
                   r.converged.map { " data-converged=\"\($0)\"" } ?? "")
      html += cell("samples", "\(r.samples)", "\(r.samples)")
      html += cell("low_frequency_share", NumberFormat.exact(r.lowFrequencyShare), NumberFormat.fixed(r.lowFrequencyShare, 3))
      if r.isBaseline {
        html += "<td class=\"baseline\">baseline</td>"
      } else if let d = r.lowFrequencyShareDifference {
        var text = NumberFormat.signed(d, 3)
        if let ci = r.lowFrequencyShareDifferenceCI {
          text += " <span class=\"ci\">[\(NumberFormat.signed(ci[0], 3)), \(NumberFormat.signed(ci[1], 3))]</span>"
        }
        let ciAttributes = r.lowFrequencyShareDifferenceCI.map {
          " data-ci-low=\"\(NumberFormat.exact($0[0]))\" data-ci-high=\"\(NumberFormat.exact($0[1]))\""
        } ?? ""
        html += cell("low_frequency_share_difference", NumberFormat.exact(d), text, ciAttributes)
      } else {
        html += "<td class=\"baseline\">not comparable</td>"
      }
      for a in attacks {
        if let v = r.robustAccuracy[a] {
          html += cell("robust_accuracy", NumberFormat.exact(v), NumberFormat.percent(v), " data-attack=\"\(Markup.escape(a))\"")
        } else {
          html += "<td>–</td>"
        }
      }
      html += "</tr>\n"
    }
    html += "</tbody>\n</table></div>"
    var section = PageSection(id: "summary", title: "Summary")
    section.add(html: html)
    for note in RetentionNotes.notes(rows.map { .init(model: $0.model, retention: $0.judgedRetention,
                                                      retentionTarget: $0.retentionTarget, targetMet: $0.targetMet,
                                                      heldOut: $0.validationRetention != nil, converged: $0.converged,
                                                      unconvergedSeeds: $0.unconvergedSeeds ?? []) }) {
      section.note(note)
    }
    if let note = IntervalCoverage.oneNetworkNote(bands.coverage) { section.note(note) }
    for (i, reason) in bands.incomparable.sorted(by: { $0.key < $1.key }) {
      section.note("<em>\(Markup.escape(entries[i].name))</em> is not compared with the baseline: \(Markup.escape(reason)).")
    }
    return section
  }
}
