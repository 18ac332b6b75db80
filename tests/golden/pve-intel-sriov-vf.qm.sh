#!/bin/sh
# vfiogen: creates VM 160 (win11-sriov) from pve-intel-sriov-vf.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 160 \
  --bios 'ovmf' \
  --boot 'order=sata0;net0' \
  --cores '4' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=1' \
  --hostpci0 '0000:00:02.1,pcie=1' \
  --machine 'q35' \
  --memory '8192' \
  --name 'win11-sriov' \
  --net0 'e1000=52:54:00:5C:02:00,bridge=vmbr0' \
  --ostype 'win11' \
  --sata0 'local-lvm:64' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --tpmstate0 'local-lvm:1,version=v2.0' \
  --vga 'std'
