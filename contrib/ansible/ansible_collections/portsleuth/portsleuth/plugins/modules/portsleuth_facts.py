#!/usr/bin/python3
# -*- coding: utf-8 -*-
# portsleuth_facts - portsleuth's joined records of a managed host, as facts.
# MIT license (see the portsleuth source tree).

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
---
module: portsleuth_facts
short_description: What listens on the host, who holds it, how exposed it is, and what changed
version_added: "0.1.0"
description:
  - Runs C(portsleuth --json --why) on the managed host and returns its
    records as the C(portsleuth) fact, every listening socket of every
    network namespace with its owners (processes, users, executables,
    command lines), exposure, registered service, origin (systemd unit,
    inetd line, container...), package and integrity.
  - With O(probe), also what answers on each port, and the mismatches
    between the port's name, the process and the wire.
  - With a baseline (the default one when it exists), also C(portsleuth
    diff --json), what is new, gone and changed, and the policy's
    violations with O(policy).
  - Unlike parsing C(ss) or C(netstat) text, the records are portsleuth's
    own JSON (addresses, IPv6 included, are fields, not text to split).
  - The module never changes the host.
options:
  executable:
    description: The portsleuth program (a name on PATH or a path).
    type: str
    default: portsleuth
  all:
    description: Sockets in every state, not only listening ones.
    type: bool
    default: false
  probe:
    description: Talk to each listener to find its wire protocol.
    type: bool
    default: false
  firewall:
    description: Add the packet filter's verdict for each listener.
    type: bool
    default: false
  netns:
    description: Which network namespaces (portsleuth's C(--netns) SPEC).
    type: str
  baseline:
    description:
      - The baseline to compare with. Default the package's
        C(/var/lib/portsleuth/baseline.json) when it exists.
      - An empty string turns the comparison off.
    type: str
  policy:
    description: A policy of expected listeners (JSON) to check.
    type: path
  timeout:
    description: Seconds each portsleuth run may take.
    type: int
    default: 120
author:
  - portsleuth developers
'''

EXAMPLES = r'''
- name: Read what listens
  portsleuth.portsleuth.portsleuth_facts:

- name: Listeners open to every address
  ansible.builtin.debug:
    msg: "{{ ansible_facts.portsleuth.listeners
             | selectattr('exposure_scope', 'equalto', 'all')
             | map(attribute='local_port') | list }}"

- name: Fail when anything changed since the baseline
  ansible.builtin.assert:
    that: ansible_facts.portsleuth.drift.summary.new == 0
'''

RETURN = r'''
ansible_facts:
  description: The C(portsleuth) fact.
  returned: always
  type: complex
  contains:
    portsleuth:
      description: What portsleuth found.
      type: complex
      contains:
        version:
          description: portsleuth's version.
          type: str
        privileged:
          description: Whether it ran with the privileges to see every owner.
          type: bool
        listeners:
          description: The records of C(portsleuth --json --why), one per socket (its C(sockets) array).
          type: list
          elements: dict
        namespaces:
          description: The network namespaces read.
          type: list
          elements: dict
        exposure:
          description: The number of listeners by exposure scope (all, address, device, loopback, ...).
          type: dict
        mismatches:
          description: With O(probe), the listeners whose wire protocol contradicts their port's name or process.
          type: list
          elements: dict
        drift:
          description: The document of C(portsleuth diff --json) (changes, policy, summary), or null without a baseline or policy.
          type: dict
        notes:
          description: What portsleuth could not see, and why.
          type: list
          elements: str
'''

import json
import os

from ansible.module_utils.basic import AnsibleModule

DEFAULT_BASELINE = "/var/lib/portsleuth/baseline.json"


def run_json(module, name, args, ok_codes):
    """portsleuth's JSON document; the task fails with its reason."""
    rc, out, err = module.run_command(args, check_rc=False)
    if rc == 124 and args[0] == "timeout":
        module.fail_json(msg="%s took longer than %s s (timeout)"
                         % (name, args[1]), rc=rc)
    if rc not in ok_codes:
        module.fail_json(msg="%s exited %d: %s" % (name, rc,
                                                    err.strip()[-2000:]),
                         rc=rc, stderr=err)
    try:
        return json.loads(out)
    except ValueError as e:
        module.fail_json(msg="%s printed no JSON document: %s" % (name, e))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            executable=dict(type="str", default="portsleuth"),
            all=dict(type="bool", default=False),
            probe=dict(type="bool", default=False),
            firewall=dict(type="bool", default=False),
            netns=dict(type="str"),
            baseline=dict(type="str"),
            policy=dict(type="path"),
            timeout=dict(type="int", default=120),
        ),
        supports_check_mode=True,
    )
    p = module.params
    exe = p["executable"]
    if "/" not in exe:
        exe = module.get_bin_path(exe, required=True)
    timeout = ["timeout", str(p["timeout"])] \
        if module.get_bin_path("timeout") else []

    args = timeout + [exe, "--json", "--why"]
    if p["all"]:
        args.append("--all")
    if p["probe"]:
        args.append("--probe")
    if p["firewall"]:
        args.append("--firewall")
    if p["netns"]:
        args += ["--netns", p["netns"]]
    doc = run_json(module, "portsleuth --json", args, (0, 1))

    sockets = doc.get("sockets", [])
    exposure = {}
    for s in sockets:
        scope = s.get("exposure_scope") or "other"
        exposure[scope] = exposure.get(scope, 0) + 1
    mismatches = [s for s in sockets
                  if (s.get("probe") or {}).get("verdict") == "mismatch"]

    baseline = p["baseline"]
    if baseline is None:
        baseline = DEFAULT_BASELINE if os.path.exists(DEFAULT_BASELINE) \
            else ""
    drift = None
    if baseline or p["policy"]:
        dargs = timeout + [exe, "diff", "--json"]
        if p["policy"]:
            dargs += ["--policy", p["policy"]]
        if baseline:
            dargs.append(baseline)
        # 0: no change, 1: changes or violations, 2: an error
        drift = run_json(module, "portsleuth diff", dargs, (0, 1))

    notes = list((doc.get("sources") or {}).get("notes") or [])
    facts = dict(
        version=doc.get("portsleuth"),
        privileged=doc.get("privileged"),
        listeners=sockets,
        namespaces=doc.get("namespaces", []),
        exposure=exposure,
        mismatches=mismatches,
        drift=drift,
        notes=notes,
    )
    module.exit_json(changed=False, ansible_facts=dict(portsleuth=facts))


if __name__ == "__main__":
    main()
