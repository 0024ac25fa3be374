import Testing
@testable import TerminalUI

@Suite struct RoomScreenModelTests {
    static let users = ["a", "b", "c"].map { UserRow(id: $0, nickname: $0.uppercased()) }

    @Test func selectionMovesAndStopsAtTheEnds() {
        var model = RoomScreenModel(selfUser: UserRow(id: "me", nickname: "me"), room: "r", server: "s", users: Self.users)
        model.moveSelection(by: 1)
        #expect(model.selectedUserID == "a")  // first press selects the first
        model.moveSelection(by: 1)
        model.moveSelection(by: 1)
        model.moveSelection(by: 1)
        #expect(model.selectedUserID == "c")
        model.moveSelection(by: -5)
        #expect(model.selectedUserID == "a")
        model.selectedUserID = "gone"
        model.moveSelection(by: -1)
        #expect(model.selectedUserID == "a")
        model.users = []
        model.moveSelection(by: 1)
        #expect(model.selectedUserID == nil)
    }

    @Test func callLineTexts() {
        let bob = UserRow(id: "1002", nickname: "bob")
        #expect(CallLine.idle.text == "idle")
        #expect(CallLine.ringingIn(bob).text == "incoming call from bob")
        #expect(CallLine.ringingOut(bob).text == "calling bob…")
        #expect(CallLine.inCall(bob, elapsedSeconds: 133).text == "in call with bob 02:13")
        #expect(CallLine.inCall(bob, elapsedSeconds: 3725).text == "in call with bob 1:02:05")
        #expect(CallLine.ended(reason: "").text == "call ended")
        #expect(CallLine.ringingIn(UserRow(id: "7", nickname: "")).text == "incoming call from 7")
        #expect(CallLine.idle.peer == nil)
        #expect(CallLine.connecting(bob).peer == bob)
    }

    @Test func displayNames() {
        #expect(UserRow(id: "1", nickname: "ann").displayName == "ann (1)")
        #expect(UserRow(id: "1", nickname: "").displayName == "1")
        #expect(UserRow(id: "1", nickname: "1").displayName == "1")
    }
}
