#!/bin/sh
# vfiogen: creates VM 140 (win10-hd630) from libvirt-intel-hd630.yaml on a Proxmox VE node (as root, for args).
# PVE allocates each disk, efidisk0 and tpmstate0 given as STORAGE:SIZE_GIB; qm create refuses a VMID in use.
set -e
qm create 140 \
  --args '-set device.hostpci0.x-igd-opregion=on' \
  --bios 'seabios' \
  --boot 'order=sata0;net0' \
  --cores '4' \
  --cpu 'host' \
  --hostpci0 '0000:00:02.0,legacy-igd=1' \
  --hostpci1 '0000:00:1f.3' \
  --machine 'pc' \
  --memory '8192' \
  --name 'win10-hd630' \
  --net0 'e1000=52:54:00:B1:33:3B,bridge=vmbr0' \
  --ostype 'win10' \
  --sata0 'local-lvm:64' \
  --scsihw 'virtio-scsi-single' \
  --sockets '1' \
  --vga 'none'
