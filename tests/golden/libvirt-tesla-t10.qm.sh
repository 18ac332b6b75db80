#!/bin/sh
# vfiogen: creates VM 160 (debian-t10) from libvirt-tesla-t10.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 160 \
  --bios 'ovmf' \
  --boot 'order=virtio0;net0' \
  --cores '8' \
  --cpu 'host' \
  --efidisk0 'local-lvm:1,efitype=4m,pre-enrolled-keys=0' \
  --hostpci0 '0000:01:00.0,pcie=1' \
  --machine 'q35' \
  --memory '16384' \
  --name 'debian-t10' \
  --net0 'virtio=52:54:00:0F:5D:0F,bridge=vmbr0' \
  --ostype 'l26' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'std' \
  --virtio0 'local-lvm:64'
