import Testing
@testable import TerminalUI

@Suite struct RoomScreenLayoutTests {
    /// Sizes from the minimum up to a big monitor, including odd ones.
    static let sizes: [TerminalSize] = {
        var sizes: [TerminalSize] = []
        for columns in stride(from: 60, through: 300, by: 7) {
            for rows in stride(from: 18, through: 100, by: 5) {
                sizes.append(TerminalSize(columns: columns, rows: rows))
            }
        }
        sizes += [
            TerminalSize(columns: 60, rows: 18), TerminalSize(columns: 61, rows: 19),
            TerminalSize(columns: 80, rows: 24), TerminalSize(columns: 120, rows: 40),
            TerminalSize(columns: 60, rows: 100), TerminalSize(columns: 300, rows: 18),
        ]
        return sizes
    }()

    @Test(arguments: sizes)
    func panesTileTheScreenWithoutOverlap(size: TerminalSize) throws {
        guard case .room(let panes) = RoomScreenLayout(size: size) else {
            Issue.record("\(size) should fit")
            return
        }
        let screen = ScreenRect(x: 0, y: 0, width: size.columns, height: size.rows)
        let tiles = [panes.remoteVideoBox, panes.previewBox, panes.usersBox, panes.chatBox, panes.messageLine, panes.statusLine]
        for tile in tiles {
            #expect(screen.contains(tile), "\(tile) outside \(size)")
        }
        for (i, a) in tiles.enumerated() {
            for b in tiles[(i + 1)...] {
                #expect(!a.intersects(b), "\(a) overlaps \(b) at \(size)")
            }
        }
        // Disjoint and inside, so equal area means every cell is covered once.
        #expect(tiles.map(\.area).reduce(0, +) == size.columns * size.rows)
        #expect(screen.contains(panes.helpOverlay))
    }

    @Test(arguments: sizes)
    func insidesSitInTheirBoxesAndVideoIsLargest(size: TerminalSize) throws {
        guard case .room(let panes) = RoomScreenLayout(size: size) else {
            Issue.record("\(size) should fit")
            return
        }
        #expect(panes.remoteVideoBox.contains(panes.remoteVideo))
        #expect(panes.previewBox.contains(panes.localPreview))
        #expect(panes.usersBox.contains(panes.userList))
        #expect(panes.chatBox.contains(panes.chatHistory))
        #expect(panes.chatBox.contains(panes.chatInput))
        #expect(!panes.chatHistory.intersects(panes.chatInput))
        #expect(panes.chatHistory.height >= 2)
        #expect(panes.chatInput.height == 1)
        #expect(panes.userList.height >= 3)
        #expect(panes.localPreview.height >= 3)
        // The video boxes' insides never touch a border or another pane.
        #expect(!panes.remoteVideo.intersects(panes.localPreview))
        for other in [panes.localPreview, panes.userList, panes.chatHistory, panes.chatInput] {
            #expect(panes.remoteVideo.area > other.area, "video \(panes.remoteVideo) not larger than \(other) at \(size)")
        }
        #expect(panes.messageLine.y == size.rows - 2)
        #expect(panes.statusLine.y == size.rows - 1)
        #expect(RoomScreenLayout(size: size).remoteVideo == panes.remoteVideo)
        #expect(RoomScreenLayout(size: size).localPreview == panes.localPreview)
    }

    @Test(arguments: [
        TerminalSize(columns: 59, rows: 18), TerminalSize(columns: 60, rows: 17), TerminalSize(columns: 0, rows: 0),
        TerminalSize(columns: 1, rows: 1), TerminalSize(columns: 200, rows: 10), TerminalSize(columns: 30, rows: 80),
    ])
    func belowTheMinimumIsTooSmall(size: TerminalSize) {
        #expect(RoomScreenLayout(size: size) == .tooSmall(size))
        #expect(RoomScreenLayout(size: size).remoteVideo == nil)
        #expect(RoomScreenLayout(size: size).localPreview == nil)
    }

    @Test func minimumSizeItselfFits() {
        #expect(RoomScreenLayout.minimumSize == TerminalSize(columns: 60, rows: 18))
        #expect(RoomScreenLayout(size: RoomScreenLayout.minimumSize).remoteVideo != nil)
        #expect(RoomScreenLayout.tooSmallMessage == "terminal too small (need 60x18)")
    }

    @Test func resizeBigSmallBigGivesTheSameLayoutBack() throws {
        let big = TerminalSize(columns: 120, rows: 40)
        let first = RoomScreenLayout(size: big)
        let small = RoomScreenLayout(size: TerminalSize(columns: 50, rows: 12))
        let again = RoomScreenLayout(size: big)
        #expect(small == .tooSmall(TerminalSize(columns: 50, rows: 12)))
        #expect(first == again)
        #expect(first.size == big)
        // A wider terminal gives the video more room, never less.
        let wider = RoomScreenLayout(size: TerminalSize(columns: 160, rows: 40))
        #expect(try #require(wider.remoteVideo).area > (try #require(first.remoteVideo)).area)
    }

    @Test func helpFitsWithAllEntriesAtTheMinimumSize() throws {
        guard case .room(let panes) = RoomScreenLayout(size: RoomScreenLayout.minimumSize) else {
            Issue.record("minimum should fit")
            return
        }
        let inside = panes.helpOverlay.inset(by: 1)
        #expect(HelpSheet.rowsNeeded(width: inside.width) <= inside.height)
    }
}
