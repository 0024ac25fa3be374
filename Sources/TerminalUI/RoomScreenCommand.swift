/// What a key press asks the application to do.
public enum RoomScreenCommand: Sendable, Equatable {
    case selectPrevious
    case selectNext
    /// Call the selected user.
    case callSelected
    case accept
    case reject
    case hangup
    case quit
    case toggleHelp
    /// Esc outside the chat input: close the help overlay or clear the notice.
    case dismiss
    /// Ctrl-L. The screen has already repainted its own cells from scratch;
    /// the video renderer must repaint the video rectangles whole.
    case redraw
    /// The terminal changed size. The screen has already re-laid out and
    /// repainted; video rectangles moved (read `RoomScreen.layout`).
    case resize
    /// Enter in the chat input with a non-empty line. The input is cleared.
    case sendChat(String)
    /// PgUp / PgDn: page through the chat history.
    case scrollChat(ChatScroll)
    /// `r`: the next symbol set for video (half blocks, quadrants, sextants, ASCII).
    case cycleSymbols
    /// `R`: the next colour mode for video (truecolor, 256, 16).
    case cycleColors
    /// `f`: fit the picture with bars, or fill the pane by cropping.
    case toggleFit
    /// `s`: the call's connection stats on the message line.
    case showStats
    /// `m`: mute or unmute the microphone.
    case toggleMute
    /// `v`: send video or black frames.
    case toggleVideo
    /// `c`: the next video source (test pattern, file, camera).
    case nextVideoSource
    /// `b`: the video bitrate cap, 256 kbit/s → 1 Mbit/s → none.
    case cycleBitrateCap
    /// `p`: save the peer's current picture.
    case snapshot
}

public enum ChatScroll: Sendable, Equatable { case older, newer }
