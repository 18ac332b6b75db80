#!/bin/sh
# vfiogen: creates VM 170 (win11-lg) from libvirt-looking-glass-win11.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 170 \
  --balloon '0' \
  --bios 'ovmf' \
  --boot 'order=virtio0;net0' \
  --cores '6' \
  --cpu 'host,hidden=1,hv-vendor-id=vfiogen' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=1' \
  --hostpci0 '0000:01:00,pcie=1' \
  --ivshmem 'size=64,name=looking-glass' \
  --machine 'q35' \
  --memory '16384' \
  --name 'win11-lg' \
  --net0 'virtio=52:54:00:59:01:38,bridge=vmbr0' \
  --ostype 'win11' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --tpmstate0 'local-lvm:1,version=v2.0' \
  --vga 'std' \
  --virtio0 'local-lvm:128'
