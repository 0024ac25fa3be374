import Glibc
import HostAddresses
import ICE
import NIOCore
import NIOPosix

/// Resolves `<uuid>.local` candidate names with a one-shot multicast DNS query
/// on every IPv4 interface (RFC 6762 §5.1). A name nobody answers for gives nil
/// after `timeout`, so one bad candidate never stalls the others.
public enum MDNSResolver {
    public static func resolve(_ name: String, timeout: Duration = .seconds(2)) async -> [UInt8]? {
        let interfaces = HostInterfaces.addresses(includeLoopback: false, includeIPv6: false)
        guard !interfaces.isEmpty, let query = MDNSMessage.query(for: name, id: 0) else { return nil }
        enum Outcome: Sendable { case found([UInt8]), gaveUp, timedOut }
        return await withTaskGroup(of: Outcome.self) { group in
            for interface in interfaces {
                group.addTask { await ask(name, query: query, from: interface).map(Outcome.found) ?? .gaveUp }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return .timedOut
            }
            defer { group.cancelAll() }
            var waiting = interfaces.count
            for await outcome in group {
                switch outcome {
                case .found(let address): return address
                case .timedOut: return nil
                case .gaveUp:
                    waiting -= 1
                    if waiting == 0 { return nil }
                }
            }
            return nil
        }
    }

    private static func ask(_ name: String, query: [UInt8], from interface: [UInt8]) async -> [UInt8]? {
        do {
            let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(to: SocketAddress(ipAddress: IPAddress.text(interface), port: 0)) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(
                            wrappingChannelSynchronously: channel)
                    }
                }
            // Send the query out of this interface, not wherever the multicast route points.
            // Bit-cast: in_addr's members may belong to CNIOLinux here (see Package.swift, HostAddresses).
            let address = unsafeBitCast(interface.withUnsafeBytes { $0.load(as: UInt32.self) }, to: in_addr.self)
            try await (channel.channel as? any SocketOptionProvider)?.setIPMulticastIF(address).get()
            return try await channel.executeThenClose { inbound, outbound in
                let group = try SocketAddress(ipAddress: IPAddress.text(MDNSMessage.group.address), port: Int(MDNSMessage.group.port))
                try await outbound.write(AddressedEnvelope(remoteAddress: group, data: ByteBuffer(bytes: query)))
                for try await envelope in inbound {
                    if let first = MDNSMessage.addresses(in: Array(buffer: envelope.data), for: name).first { return first }
                }
                return nil
            }
        } catch {
            return nil
        }
    }
}
