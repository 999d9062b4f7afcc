/*
 * A stand-in libdcmi.so for JnaDcmiPortTest: the DCMI calls JnaDcmiPort makes, with the structs laid out as
 * Ascend/mind-cluster's dcmi_interface_api.h declares them, over a fixed machine:
 *   card 3: two Ascend910 dies (devices 0, 1), 64 GiB HBM each, VDIE ids; die 1 reports a major alarm (2)
 *   card 7: one 310P3 (device 0), no HBM (not supported), 24 GiB DDR, no die id (not supported)
 * logic id = position (0, 1, 2), physical id = logic id + 4.
 */
#include <string.h>

#define NOT_SUPPORT (-8255)
#define INVALID (-8001)

struct dcmi_chip_info {
  unsigned char chip_type[32];
  unsigned char chip_name[32];
  unsigned char chip_ver[32];
  unsigned int aicore_cnt;
};
struct dcmi_hbm_info {
  unsigned long long memory_size;
  unsigned int freq;
  unsigned long long memory_usage;
  int temp;
  unsigned int bandwith_util_rate;
};
struct dcmi_get_memory_info_stru {
  unsigned long long memory_size;
  unsigned long long memory_available;
  unsigned int freq;
  unsigned long hugepagesize;
  unsigned long hugepages_total;
  unsigned long hugepages_free;
  unsigned int utiliza;
  unsigned char reserve[60];
};
struct dcmi_die_id {
  unsigned int soc_die[5];
};

static int logic_of(int card, int device) {
  if (card == 3 && (device == 0 || device == 1)) return device;
  if (card == 7 && device == 0) return 2;
  return -1;
}

int dcmi_init(void) { return 0; }

int dcmi_get_card_list(int *card_num, int *card_list, int list_len) {
  if (list_len < 2) return INVALID;
  *card_num = 2;
  card_list[0] = 3;
  card_list[1] = 7;
  return 0;
}

int dcmi_get_device_num_in_card(int card_id, int *device_num) {
  if (card_id == 3) { *device_num = 2; return 0; }
  if (card_id == 7) { *device_num = 1; return 0; }
  return INVALID;
}

int dcmi_get_device_logic_id(int *device_logic_id, int card_id, int device_id) {
  int l = logic_of(card_id, device_id);
  if (l < 0) return INVALID;
  *device_logic_id = l;
  return 0;
}

int dcmi_get_device_phyid_from_logicid(unsigned int logicid, unsigned int *phyid) {
  if (logicid > 2) return INVALID;
  *phyid = logicid + 4;
  return 0;
}

int dcmi_get_device_chip_info(int card_id, int device_id, struct dcmi_chip_info *chip_info) {
  if (logic_of(card_id, device_id) < 0) return INVALID;
  memset(chip_info, 0, sizeof(*chip_info));
  strcpy((char *)chip_info->chip_type, "Ascend");
  strcpy((char *)chip_info->chip_name, card_id == 3 ? "Ascend910" : "310P3");
  strcpy((char *)chip_info->chip_ver, "V1");
  chip_info->aicore_cnt = card_id == 3 ? 24 : 8;
  return 0;
}

int dcmi_get_device_health(int card_id, int device_id, unsigned int *health) {
  if (logic_of(card_id, device_id) < 0) return INVALID;
  *health = card_id == 3 && device_id == 1 ? 2 : 0;
  return 0;
}

int dcmi_get_device_hbm_info(int card_id, int device_id, struct dcmi_hbm_info *hbm_info) {
  if (card_id != 3 || logic_of(card_id, device_id) < 0) return NOT_SUPPORT;
  memset(hbm_info, 0, sizeof(*hbm_info));
  hbm_info->memory_size = 65536;
  hbm_info->temp = 40;
  return 0;
}

int dcmi_get_device_memory_info_v3(int card_id, int device_id, struct dcmi_get_memory_info_stru *info) {
  if (logic_of(card_id, device_id) < 0) return INVALID;
  memset(info, 0, sizeof(*info));
  info->memory_size = card_id == 7 ? 24576 : 0;
  info->utiliza = 3;
  return 0;
}

int dcmi_get_device_die_v2(int card_id, int device_id, int input_type, struct dcmi_die_id *die_id) {
  if (card_id != 3 || input_type != 1 || logic_of(card_id, device_id) < 0) return NOT_SUPPORT;
  for (int i = 0; i < 5; i++) die_id->soc_die[i] = 0x0a0b0c00u + (unsigned)(device_id * 16 + i);
  return 0;
}
