/// Where each pane of the room screen goes for a given terminal size.
///
/// A pure function of the size, so the lead's video renderer and the tests can
/// compute the same rectangles the screen draws. The boxed panes (video,
/// preview, users, chat) plus the message and status rows tile the screen
/// exactly; only the help overlay lies on top of the others.
public enum RoomScreenLayout: Sendable, Equatable {
    /// The terminal is below `minimumSize`; the screen shows only a centered message.
    case tooSmall(TerminalSize)
    case room(RoomPanes)

    /// Below this the sidebar cannot hold a preview, a user list and a chat
    /// with two history rows at the same time.
    public static let minimumSize = TerminalSize(columns: 60, rows: 18)

    public init(size: TerminalSize) {
        let minimum = Self.minimumSize
        guard size.columns >= minimum.columns, size.rows >= minimum.rows else {
            self = .tooSmall(size)
            return
        }
        self = .room(RoomPanes(size: size))
    }

    /// The text the screen shows when it is too small.
    public static var tooSmallMessage: String {
        "terminal too small (need \(minimumSize.columns)x\(minimumSize.rows))"
    }

    /// The inside of the remote video box, or nil when too small. The video
    /// renderer owns these cells.
    public var remoteVideo: ScreenRect? {
        if case .room(let panes) = self { panes.remoteVideo } else { nil }
    }

    /// The chat history rows, or nil when too small.
    public var chatHistory: ScreenRect? {
        if case .room(let panes) = self { panes.chatHistory } else { nil }
    }

    /// The inside of the local preview box, or nil when too small.
    public var localPreview: ScreenRect? {
        if case .room(let panes) = self { panes.localPreview } else { nil }
    }

    public var size: TerminalSize {
        switch self {
        case .tooSmall(let size): size
        case .room(let panes): panes.size
        }
    }
}

/// The rectangles of a room screen that is big enough.
///
/// Shape: the remote video box fills the left; a sidebar on the right stacks
/// the preview box, the user list and the chat (history, a separator, one
/// input row); the last two rows are the message line (ringing banner,
/// notice or key hints) and the status line.
public struct RoomPanes: Sendable, Equatable {
    public let size: TerminalSize
    /// Boxes, border included.
    public let remoteVideoBox: ScreenRect
    public let previewBox: ScreenRect
    public let usersBox: ScreenRect
    public let chatBox: ScreenRect
    /// Insides of the boxes.
    public let remoteVideo: ScreenRect
    public let localPreview: ScreenRect
    public let userList: ScreenRect
    public let chatHistory: ScreenRect
    public let chatInput: ScreenRect
    /// One full-width row each.
    public let messageLine: ScreenRect
    public let statusLine: ScreenRect
    /// Centered on top of everything else when help is shown. The video
    /// renderer must not paint over it while help is visible.
    public let helpOverlay: ScreenRect

    /// Smallest box heights (border included) in the sidebar.
    static let minimumPreviewBox = 5
    static let minimumUsersBox = 5
    /// Border, two history rows, separator, input row.
    static let minimumChatBox = 6

    init(size: TerminalSize) {
        self.size = size
        let mainHeight = size.rows - 2
        let sidebarWidth = min(max(size.columns / 3, 24), 44)
        let videoWidth = size.columns - sidebarWidth
        let inner = sidebarWidth - 2

        // A 4:3 picture `inner` cells wide is inner*3/8 rows tall (cells are
        // about twice as tall as wide); cap it so the chat keeps most rows.
        var previewBox = min(inner * 3 / 8, mainHeight / 4) + 2
        var usersBox = min(max(mainHeight / 5, 3), 10) + 2
        previewBox = max(previewBox, Self.minimumPreviewBox)
        while mainHeight - previewBox - usersBox < Self.minimumChatBox {
            if previewBox > Self.minimumPreviewBox {
                previewBox -= 1
            } else if usersBox > Self.minimumUsersBox {
                usersBox -= 1
            } else {
                break  // unreachable at or above the minimum size
            }
        }
        let chatBox = mainHeight - previewBox - usersBox

        remoteVideoBox = ScreenRect(x: 0, y: 0, width: videoWidth, height: mainHeight)
        self.previewBox = ScreenRect(x: videoWidth, y: 0, width: sidebarWidth, height: previewBox)
        self.usersBox = ScreenRect(x: videoWidth, y: previewBox, width: sidebarWidth, height: usersBox)
        self.chatBox = ScreenRect(x: videoWidth, y: previewBox + usersBox, width: sidebarWidth, height: chatBox)
        remoteVideo = remoteVideoBox.inset(by: 1)
        localPreview = self.previewBox.inset(by: 1)
        userList = self.usersBox.inset(by: 1)
        let chatInside = self.chatBox.inset(by: 1)
        chatHistory = ScreenRect(x: chatInside.x, y: chatInside.y, width: chatInside.width, height: chatInside.height - 2)
        chatInput = ScreenRect(x: chatInside.x, y: chatInside.maxY - 1, width: chatInside.width, height: 1)
        messageLine = ScreenRect(x: 0, y: size.rows - 2, width: size.columns, height: 1)
        statusLine = ScreenRect(x: 0, y: size.rows - 1, width: size.columns, height: 1)

        let helpWidth = min(size.columns - 4, 76)
        let helpHeight = min(size.rows - 2, HelpSheet.rowsNeeded(width: helpWidth - 2) + 2)
        helpOverlay = ScreenRect(
            x: (size.columns - helpWidth) / 2, y: (size.rows - helpHeight) / 2,
            width: helpWidth, height: helpHeight
        )
    }

    /// The row of the separator between chat history and input.
    var chatSeparatorRow: Int { chatInput.y - 1 }
}
