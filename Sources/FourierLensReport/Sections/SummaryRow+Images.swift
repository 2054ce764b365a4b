import FourierLens

/// The summary table's facts about which images stand behind its numbers: retention on the
/// learning images beside retention on the validation images (held out), the image ranges
/// of both and of every probe, and whether the λ behind the mask converged. Absent keys of
/// older runs stay nil and show as "–" / "not recorded".
extension SummaryRow {
  /// The row with the mask's (and its probes') image facts filled in.
  func recordingImages(of summary: MaskSummary, probes: ProbeResults) -> SummaryRow {
    var row = self
    row.learningRetention = summary.learningRetention ?? summary.retention
    row.validationRetention = summary.validationRetention
    row.validationCleanAccuracy = summary.validationCleanAccuracy
    row.validationMaskedAccuracy = summary.validationMaskedAccuracy
    row.learningImages = summary.learningImages
    row.validationImages = summary.validationImages
    row.converged = summary.converged
    row.unconvergedSeeds = summary.seeds?.filter { $0.converged == false }.map(\.seed)
    row.probeImages = probes.imageRanges.isEmpty ? nil : probes.imageRanges
    return row
  }

  /// The CSV columns these facts add (after the others).
  static let imageColumns = ["learning_retention", "validation_retention", "validation_clean_accuracy",
                             "validation_masked_accuracy", "learning_images", "validation_images", "converged"]

  var imageCells: [String] {
    [learningRetention.map(NumberFormat.exact) ?? "", validationRetention.map(NumberFormat.exact) ?? "",
     validationCleanAccuracy.map(NumberFormat.exact) ?? "", validationMaskedAccuracy.map(NumberFormat.exact) ?? "",
     learningImages?.description ?? "", validationImages?.description ?? "", converged.map { $0 ? "yes" : "no" } ?? ""]
  }

  /// The retention the target was judged on: the validation images' when there are any.
  var judgedRetention: Float { validationRetention ?? retention }
}

extension ReportBuilder {
  /// The sentence of the summary's caption naming the images behind its numbers.
  func imagesSentence(_ rows: [SummaryRow]) -> String {
    guard rows.contains(where: { $0.learningImages != nil || $0.probeImages != nil }) else {
      return "Images: not recorded (a run of an older FourierLens); no retention here is held out."
    }
    var text = "Images: the masks were learned on " + ImageRangeText.html(byModel: rows.map { ($0.model, $0.learningImages) })
    if rows.contains(where: { $0.validationImages != nil }) {
      text += "; held-out retention is on the validation images, which the mask never saw ("
        + ImageRangeText.html(byModel: rows.map { ($0.model, $0.validationImages) }) + ")"
    } else {
      text += "; no validation images were set aside, so no retention here is held out"
    }
    // A model's probes under its name when they share one range, else each probe by name.
    var probes: [(model: String, range: ImageRange?)] = []
    var inSample: [String] = []
    for r in rows {
      let byProbe = (r.probeImages ?? [:]).sorted { $0.key < $1.key }
      if Set(byProbe.map(\.value.description)).count == 1 {
        probes.append((r.model, byProbe[0].value))
      } else {
        probes += byProbe.map { ("\(r.model): \($0.key)", $0.value) }
      }
      if let learned = r.learningImages, byProbe.contains(where: { $0.value.overlaps(learned) }) { inSample.append(r.model) }
    }
    if !probes.isEmpty {
      text += "; probes on " + ImageRangeText.html(byModel: probes)
    }
    if !inSample.isEmpty {
      text += " (the probes of " + inSample.map { "<em>\(Markup.escape($0))</em>" }.joined(separator: ", ")
        + " share images with the mask’s learning images: not held out)"
    }
    return text + "."
  }
}
