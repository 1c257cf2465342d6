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
        // point or shifted to either side by up to two label widths.
        var lift = 0.0
        while point.y - 9 - lift - 0.8 * fontSize >= region.y0 - 1e-9 {
            for shift in [0, width / 2 + 5] + (1...2).map({ Double($0) * (width + 6) }) {
                for signed in shift == 0 ? [0] : [-shift, shift] {
                    candidates.append((lift + 2.5 * abs(signed), point.x + signed, point.y - 9 - lift))
                }
            }
            lift += 3
        }
        candidates.sort { $0.cost < $1.cost }
        // First a spot whose leader line crosses no label and no leader; failing that, any free spot.
        for tidy in [true, false] {
            for c in candidates {
                let box = TextExtent.box(text, x: c.x, y: c.y, fontSize: fontSize, anchor: .middle)
                guard region.contains(box), isFree(box.padded(gap)) else { continue }
                // A label right above its point needs no leader; one further away gets a thin line.
                let touching = box.y1 > point.y - 10 && box.x0 <= point.x && point.x <= box.x1
                let leaderEnd = touching ? nil : (x: min(max(point.x, box.x0), box.x1), y: box.y1)
                if let end = leaderEnd {
                    let leader = ((x: point.x, y: point.y - 3.5), (x: end.x, y: end.y))
                    if tidy {
                        guard !placed.contains(where: { $0.crosses(leader.0, leader.1) }),
                              !leaders.contains(where: { LabelPlacer.intersect($0, leader) }) else { continue }
                        leaders.append(leader)
                    }
                }
                placed.append(box)
                return Placement(text: text, x: c.x, y: c.y, box: box, leaderEnd: leaderEnd)
            }
        }
        return nil
    }

    /// The last resort, which always succeeds: one row per label in a strip of `labels.count`
    /// rows of `rowHeight` starting at `top` (above the plot), in the order of their points.
    static func stacked(_ texts: [String], points: [(x: Double, y: Double)], top: Double, rowHeight: Double,
                        left: Double, right: Double, fontSize: Double) -> [Placement] {
        let order = texts.indices.sorted { points[$0].x < points[$1].x }
        var result = [Placement?](repeating: nil, count: texts.count)
        for (row, index) in order.enumerated() {
            let width = TextExtent.width(texts[index], fontSize: fontSize)
            let x = min(max(points[index].x, left + width / 2), right - width / 2)
            let y = top + Double(row) * rowHeight + 0.8 * fontSize
            let box = TextExtent.box(texts[index], x: x, y: y, fontSize: fontSize, anchor: .middle)
            result[index] = Placement(text: texts[index], x: x, y: y, box: box, leaderEnd: (x: min(max(points[index].x, box.x0), box.x1), y: box.y1))
        }
        return result.map { $0! }
    }

    /// Leader lines drawn so far: later labels keep off them too.
    private var leaders: [((x: Double, y: Double), (x: Double, y: Double))] = []

    private func isFree(_ box: Box) -> Bool {
        !placed.contains(where: box.intersects) && !obstacles.contains(where: box.intersects)
            && !segments.contains(where: { box.crosses($0.0, $0.1) }) && !leaders.contains(where: { box.crosses($0.0, $0.1) })
    }

    /// Whether two segments cross (touching at an end counts as not crossing).
    static func intersect(_ a: ((x: Double, y: Double), (x: Double, y: Double)),
                          _ b: ((x: Double, y: Double), (x: Double, y: Double))) -> Bool {
        func side(_ p: (x: Double, y: Double), _ q: (x: Double, y: Double), _ r: (x: Double, y: Double)) -> Double {
            (q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x)
        }
        let d1 = side(b.0, b.1, a.0), d2 = side(b.0, b.1, a.1), d3 = side(a.0, a.1, b.0), d4 = side(a.0, a.1, b.1)
        return d1 * d2 < 0 && d3 * d4 < 0
    }
}
