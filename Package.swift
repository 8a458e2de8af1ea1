// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ticketctl",
    products: [
        .library(name: "TicketKit", targets: ["TicketKit"]),
        .executable(name: "ticketctl", targets: ["ticketctl"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "TicketKit", dependencies: ["CSodium"]),
        .executableTarget(name: "ticketctl", dependencies: ["TicketKit"]),
        .testTarget(name: "TicketKitTests", dependencies: ["TicketKit"]),
        .testTarget(name: "ticketctlTests", dependencies: ["ticketctl", "TicketKit"]),
    ]
)
