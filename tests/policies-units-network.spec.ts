/**
 * policies/network.ts's port rules, called as the analyzer calls them: every way a security group
 * or a firewall can name its sources, protocols and ports, each next to the form that passes.
 */
import { expect } from "chai";
import { dataPorts } from "../policies/helpers";
import { firewallNoPublicDataPorts, securityGroupNoPublicDataPorts } from "../policies/network";
import { check } from "./policies-units-harness";

const sgTail = "; allow only the VPC, a security group or the office/VPN ranges.";
const fwTail = "; restrict sourceRanges to the VPC, IAP (35.235.240.0/20) or the office/VPN ranges.";

describe("policy units: security-group-no-public-data-ports", () => {
    const sg = (props: Record<string, unknown>, type = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") =>
        check(securityGroupNoPublicDataPorts, type, props);

    it("reads an ingress rule resource's IPv4 and IPv6 sources", () => {
        expect(sg({ cidrIpv4: "10.0.0.0/8", ipProtocol: "tcp", fromPort: 22, toPort: 22 })).to.deep.equal([]);
        expect(sg({ cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 22, toPort: 22 })).to.deep.equal([`Ingress from 0.0.0.0/0 reaches port(s) 22${sgTail}`]);
        expect(sg({ cidrIpv6: "::/0", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 })).to.deep.equal([`Ingress from ::/0 reaches port(s) 5432${sgTail}`]);
    });

    it("judges a security group rule resource only when it is an ingress rule", () => {
        const rule = { cidrBlocks: ["0.0.0.0/0"], protocol: "tcp", fromPort: 6379, toPort: 6379 };
        expect(sg({ ...rule, type: "ingress" }, "aws:ec2/securityGroupRule:SecurityGroupRule")).to.deep.equal([`Ingress from 0.0.0.0/0 reaches port(s) 6379${sgTail}`]);
        expect(sg({ ...rule, type: "egress" }, "aws:ec2/securityGroupRule:SecurityGroupRule")).to.deep.equal([]);
        expect(sg({ type: "ingress", ipv6CidrBlocks: ["::/0"], protocol: "tcp", fromPort: 6379, toPort: 6379 }, "aws:ec2/securityGroupRule:SecurityGroupRule"))
            .to.deep.equal([`Ingress from ::/0 reaches port(s) 6379${sgTail}`]);
    });

    it("adds up a security group's inline rules per port", () => {
        const half = (cidr: string) => ({ cidrBlocks: [cidr], protocol: "tcp", fromPort: 22, toPort: 22 });
        expect(sg({ ingress: [half("11.0.0.0/9")] }, "aws:ec2/securityGroup:SecurityGroup")).to.deep.equal([]);
        expect(sg({ ingress: [half("11.0.0.0/9"), half("11.128.0.0/9")] }, "aws:ec2/securityGroup:SecurityGroup"))
            .to.deep.equal([`Ingress from 11.0.0.0/9, 11.128.0.0/9 reaches port(s) 22${sgTail}`]);
    });
});

describe("policy units: firewall-no-public-data-ports", () => {
    const fw = (props: Record<string, unknown>) => check(firewallNoPublicDataPorts, "gcp:compute/firewall:Firewall", props);
    const open = { sourceRanges: ["0.0.0.0/0"] };

    it("reads single ports and port ranges, each port once", () => {
        expect(fw({ sourceRanges: ["10.0.0.0/8"], allows: [{ protocol: "tcp", ports: ["22"] }] })).to.deep.equal([]);
        expect(fw({ ...open, allows: [{ protocol: "tcp", ports: ["5432-5433", "22"] }, { protocol: "udp", ports: ["22"] }] }))
            .to.deep.equal([`Firewall admits 0.0.0.0/0 on port(s) 22, 5432${fwTail}`]);
    });

    it("takes an entry without ports as every port of its protocol, and 'all' as TCP for listed ports", () => {
        expect(fw({ ...open, allows: [{ protocol: "all" }] })).to.deep.equal([`Firewall admits 0.0.0.0/0 on port(s) ${dataPorts.join(", ")}${fwTail}`]);
        expect(fw({ ...open, allows: [{ protocol: "all", ports: ["22"] }] })).to.deep.equal([`Firewall admits 0.0.0.0/0 on port(s) 22${fwTail}`]);
        expect(fw({ ...open, allows: [{ protocol: "icmp" }] })).to.deep.equal([]);
    });

    it("leaves egress and disabled rules alone", () => {
        const allows = [{ protocol: "tcp", ports: ["22"] }];
        expect(fw({ ...open, allows, direction: "INGRESS" })).to.have.length(1);
        expect(fw({ ...open, allows, direction: "EGRESS" })).to.deep.equal([]);
        expect(fw({ ...open, allows, disabled: true })).to.deep.equal([]);
    });
});
