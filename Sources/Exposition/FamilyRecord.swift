/// What the parser knows about one family while the body is read.
struct FamilyRecord {
    var nameID: Int32
    var name: String
    var type: MetricType = .unknown
    var hasTypeLine = false
    var help: String?
    /// Whether a `# HELP` line was read (its text is kept only for families the parse keeps).
    var hasHelp = false
    var unit: String?
    var hasSamples = false
    /// Whether the parse in progress keeps nothing of this family (a filter leaves it out): its sample lines are
    /// only matched by name (`skipDroppedSample`).
    var dropped = false
    /// Whether the visitor has been told about the current run of this family.
    var begun = false
    /// Sample name ids this family accepts, with what each is.
    var accepted: [(id: Int32, kind: SampleKind)] = []
    var line: Int

    init(nameID: Int32, name: String, line: Int) {
        self.nameID = nameID
        self.name = name
        self.line = line
    }

    @inline(__always) func kind(of nameID: Int32) -> SampleKind? {
        for entry in accepted where entry.id == nameID { return entry.kind }
        return nil
    }
}
