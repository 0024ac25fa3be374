"""Answers multicast DNS for one host name, with python-zeroconf (PyPI), the
way a browser answers for the `<uuid>.local` names of its host candidates.

    mdns_responder.py NAME.local IPV4
Prints `ready` once registered; runs until stdin closes.
"""

import socket
import sys

from zeroconf import ServiceInfo, Zeroconf

name, address = sys.argv[1], sys.argv[2]
zeroconf = Zeroconf(interfaces=[address])
info = ServiceInfo("_call-test._udp.local.", f"responder-{name.split('.')[0]}._call-test._udp.local.",
                   addresses=[socket.inet_aton(address)], port=9, server=name.rstrip(".") + ".")
zeroconf.register_service(info)
print("ready", flush=True)
sys.stdin.read()
zeroconf.unregister_service(info)
zeroconf.close()
