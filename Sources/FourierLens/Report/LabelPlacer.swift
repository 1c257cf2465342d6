/// Places point labels (outlier periods) near their points so that no label covers another
/// label, a marker or a drawn line, and none leaves its region. A label that finds no free spot
/// is reported, never dropped: the chart then gives the labels more room and places them again.
struct LabelPlacer {
    struct Placement {
        let text: String
        let x: Double, y: Double
        let box: Box
        /// Where a leader line from the point meets the label, when the label sits away from it.
        let leaderEnd: (x: Double, y: Double)?
    }

    /// Where labels may go.
    let region: Box
    /// Markers and anything else a label may not cover.
    var obstacles: [Box]
    /// Drawn lines and stems.
    let segments: [((x: Double, y: Double), (x: Double, y: Double))]
    let fontSize: Double
    private(set) var placed: [Box] = []

    init(region: Box, obstacles: [Box], segments: [((x: Double, y: Double), (x: Double, y: Double))], fontSize: Double) {
        self.region = region; self.obstacles = obstacles; self.segments = segments; self.fontSize = fontSize
    }

    /// The free spot nearest above the point (then beside it), or nil when there is none.
    mutating func place(_ text: String, at point: (x: Double, y: Double)) -> Placement? {
        let width = TextExtent.width(text, fontSize: fontSize)
        let gap = 1.5
        var candidates: [(cost: Double, x: Double, y: Double)] = []
        // Baselines from just above the point up to the region's top, 3 px apart; centres on the
        // point or shifted to either side.
        var lift = 0.0
        while point.y - 9 - lift - 0.8 * fontSize >= region.y0 - 1e-9 {
            for shift in [0, -(width / 2 + 5), width / 2 + 5, -(width + 6), width + 6] {
                candidates.append((lift + 1.5 * abs(shift), point.x + shift, point.y - 9 - lift))
            }
            lift += 3
        }
        candidates.sort { $0.cost < $1.cost }
        for c in candidates {
            let box = TextExtent.box(text, x: c.x, y: c.y, fontSize: fontSize, anchor: .middle)
            guard region.contains(box), isFree(box.padded(gap)) else { continue }
            placed.append(box)
            // A label right above its point needs no leader; one further away gets a thin line.
            let touching = box.y1 > point.y - 10 && box.x0 <= point.x && point.x <= box.x1
            let leaderEnd = touching ? nil : (x: min(max(point.x, box.x0), box.x1), y: box.y1)
            return Placement(text: text, x: c.x, y: c.y, box: box, leaderEnd: leaderEnd)
        }
        return nil
    }

    private func isFree(_ box: Box) -> Bool {
        !placed.contains(where: box.intersects) && !obstacles.contains(where: box.intersects)
            && !segments.contains(where: { box.crosses($0.0, $0.1) })
    }
}
