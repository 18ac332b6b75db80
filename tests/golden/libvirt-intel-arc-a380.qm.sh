#!/bin/sh
# vfiogen: creates VM 150 (win11-arc) from libvirt-intel-arc-a380.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 150 \
  --bios 'ovmf' \
  --boot 'order=virtio0;net0' \
  --cores '6' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=1' \
  --hostpci0 '0000:03:00.0,pcie=1' \
  --hostpci1 '0000:04:00.0,pcie=1' \
  --machine 'q35' \
  --memory '16384' \
  --name 'win11-arc' \
  --net0 'virtio=52:54:00:EE:06:21,bridge=vmbr0' \
  --ostype 'win11' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --tpmstate0 'local-lvm:1,version=v2.0' \
  --vga 'virtio' \
  --virtio0 'local-lvm:128'
