// A small Socket.IO v5 client: Engine.IO v4 over WebSocket only (our server
// refuses long-polling), connect/event packets, ping-pong and reconnect with
// backoff. Just what the call page needs; no acks, no binary, no namespaces.

const ENGINE_OPEN = "0";
const ENGINE_CLOSE = "1";
const ENGINE_PING = "2";
const ENGINE_PONG = "3";
const ENGINE_MESSAGE = "4";
const SOCKET_CONNECT = "0";
const SOCKET_DISCONNECT = "1";
const SOCKET_EVENT = "2";
const SOCKET_CONNECT_ERROR = "4";

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

export class SignalingClient {
  /**
   * @param {object} options
   * @param {string} options.baseUrl  page origin, e.g. "http://127.0.0.1:18080"
   * @param {{userId: string, roomId: string, nickname: string}} options.identity  sent in the handshake query
   * @param {(name: string, payload: any) => void} options.onEvent  every `42["name",payload]` received
   * @param {(status: string, detail?: string) => void} options.onStatus  "connecting", "connected",
   *     "reconnecting" (detail: why and when), "stopped" (detail: why)
   */
  constructor({ baseUrl, identity, onEvent, onStatus }) {
    this.url = SignalingClient.socketUrl(baseUrl, identity);
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.socket = null;
    this.connected = false;
    this.stopped = false;
    this.retryDelayMs = FIRST_RETRY_MS;
    this.retryTimer = null;
    this.pingWatchdog = null;
  }

  static socketUrl(baseUrl, { userId, roomId, nickname }) {
    const url = new URL("/socket.io/", baseUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ EIO: "4", transport: "websocket", userId, roomId, nickname });
    url.search = query.toString();
    return url.toString();
  }

  connect() {
    this.stopped = false;
    this.openSocket();
  }

  /** Sends one event; returns false (and sends nothing) while not connected. */
  emit(name, payload) {
    if (!this.connected) return false;
    this.socket.send(ENGINE_MESSAGE + SOCKET_EVENT + JSON.stringify([name, payload]));
    return true;
  }

  /** Closes for good: no reconnect. */
  close(reason = "closed by the page") {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.pingWatchdog);
    if (this.socket) this.socket.close(1000, reason);
    this.connected = false;
  }

  openSocket() {
    this.onStatus("connecting");
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onmessage = (message) => {
      if (socket === this.socket && typeof message.data === "string") this.handlePacket(message.data);
    };
    socket.onclose = (event) => {
      if (socket !== this.socket) return;
      this.connected = false;
      clearTimeout(this.pingWatchdog);
      this.scheduleReconnect(event.reason || `connection closed (code ${event.code})`);
    };
    // An error is always followed by close, which does the reconnecting.
    socket.onerror = () => {};
  }

  handlePacket(text) {
    switch (text[0]) {
      case ENGINE_OPEN: {
        const open = JSON.parse(text.slice(1));
        // The server pings every pingInterval; silence for longer than
        // pingInterval + pingTimeout means the connection is dead even if
        // TCP has not noticed yet.
        this.pingDeadlineMs = (open.pingInterval ?? 25_000) + (open.pingTimeout ?? 20_000);
        this.armPingWatchdog();
        this.socket.send(ENGINE_MESSAGE + SOCKET_CONNECT);
        break;
      }
      case ENGINE_PING:
        this.armPingWatchdog();
        this.socket.send(ENGINE_PONG);
        break;
      case ENGINE_CLOSE:
        this.socket.close();
        break;
      case ENGINE_MESSAGE:
        this.handleSocketPacket(text.slice(1));
        break;
      default:
        break; // noop and upgrade packets do not concern a WebSocket-only client
    }
  }

  handleSocketPacket(text) {
    switch (text[0]) {
      case SOCKET_CONNECT:
        this.connected = true;
        this.retryDelayMs = FIRST_RETRY_MS;
        this.onStatus("connected");
        break;
      case SOCKET_EVENT: {
        let parsed;
        try {
          parsed = JSON.parse(text.slice(1));
        } catch {
          return; // a malformed event cannot be acted on
        }
        if (Array.isArray(parsed) && typeof parsed[0] === "string") this.onEvent(parsed[0], parsed[1]);
        break;
      }
      case SOCKET_CONNECT_ERROR: {
        let message = "the server refused the connection";
        try {
          message = JSON.parse(text.slice(1)).message ?? message;
        } catch {}
        this.stop(message);
        break;
      }
      case SOCKET_DISCONNECT:
        this.socket.close();
        break;
      default:
        break;
    }
  }

  /** Stops for good after a refusal that retrying would only repeat. */
  stop(reason) {
    this.close(reason);
    this.onStatus("stopped", reason);
  }

  armPingWatchdog() {
    clearTimeout(this.pingWatchdog);
    this.pingWatchdog = setTimeout(() => {
      if (this.socket) this.socket.close(4000, "no ping from the server");
    }, this.pingDeadlineMs);
  }

  scheduleReconnect(reason) {
    if (this.stopped) return;
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryDelayMs * 2, LAST_RETRY_MS);
    this.onStatus("reconnecting", `${reason}; retrying in ${(delay / 1000).toFixed(1)} s`);
    this.retryTimer = setTimeout(() => this.openSocket(), delay);
  }
}
