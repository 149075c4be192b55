/*
 * Japanese for what the certificate document states in English. The
 * document is signed as it is (method codes, the tool's sentences, UTC
 * instants); a Japanese auditor reading the printout needs the values in
 * Japanese as well, not only the labels, so the page prints both: the
 * Japanese first, the signed English beside it. A value this table does not
 * know is printed in English alone, never guessed.
 */
#include "render_internal.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct words {
	const char *en, *ja;
};

/* The Japanese for KEY in TABLE: its whole text, or (PREFIX) its start. */
static const char *find(const struct words *table, size_t n, const char *key, bool prefix)
{
	for (size_t i = 0; i < n; i++)
		if (prefix ? strncmp(key, table[i].en, strlen(table[i].en)) == 0
			   : strcmp(key, table[i].en) == 0)
			return table[i].ja;
	return NULL;
}

static const struct words methods[] = {
	{ "zero", "ゼロ (0x00) で1回上書き" },
	{ "ones", "0xFF で1回上書き" },
	{ "random", "乱数 (AES-256-CTR) で1回上書き" },
	{ "random-zero", "乱数で上書きした後ゼロで上書き (2回)" },
	{ "dod3", "DoD 5220.22-M 方式 3回上書き (0x00, 0xFF, 乱数)" },
	{ "ata-secure-erase", "ATA セキュリティイレース (通常)" },
	{ "ata-secure-erase-enhanced", "ATA セキュリティイレース (拡張)" },
	{ "ata-sanitize-crypto", "ATA サニタイズ 暗号消去 (鍵の破棄)" },
	{ "ata-sanitize-block", "ATA サニタイズ ブロック消去" },
	{ "ata-sanitize-overwrite", "ATA サニタイズ 上書き消去" },
	{ "nvme-format-user", "NVMe フォーマット (ユーザーデータ消去)" },
	{ "nvme-format-crypto", "NVMe フォーマット (暗号消去)" },
	{ "nvme-sanitize-crypto", "NVMe サニタイズ 暗号消去" },
	{ "nvme-sanitize-block", "NVMe サニタイズ ブロック消去" },
	{ "nvme-sanitize-overwrite", "NVMe サニタイズ 上書き消去" },
	{ "scsi-sanitize-crypto", "SCSI サニタイズ 暗号消去" },
	{ "scsi-sanitize-block", "SCSI サニタイズ ブロック消去" },
	{ "scsi-sanitize-overwrite", "SCSI サニタイズ 上書き消去" },
	{ "secure-discard", "セキュアディスカード (BLKSECDISCARD)" },
	{ "shred", "破砕" },
	{ "crush", "圧壊" },
	{ "degauss", "磁気消去 (デガウス)" },
	{ "incinerate", "焼却" },
	{ "drill", "穿孔" },
};

const char *wp_ja_method(const char *code)
{
	return find(methods, sizeof(methods) / sizeof(methods[0]), code, false);
}

/* NIST SP 800-88 Rev.1 section 2.5 in one line each. */
const char *wp_ja_category(const char *category)
{
	if (strcmp(category, "Clear") == 0)
		return "Clear (消去): 論理的な手法で全領域を上書きし、通常の読み出しや復元ツールに"
		       "よる復元を防ぐ / protects against simple, non-invasive recovery";
	if (strcmp(category, "Purge") == 0)
		return "Purge (除去): 物理的または論理的な手法で、研究所レベルの高度な手法に"
		       "よる復元も防ぐ / protects against state-of-the-art laboratory recovery";
	if (strcmp(category, "none") == 0)
		return "区分なし: この方式は SP 800-88 の Clear の条件を満たさない (USB メモリ・メモリ"
		       "カードはパターンとその補数の2回上書きが必要) / reaches no SP 800-88 category";
	if (strcmp(category, "Destroy") == 0)
		return "Destroy (破壊): 物理的に破壊し、復元も媒体の再利用もできない / "
		       "recovery infeasible and the medium can no longer be used";
	if (strcmp(category, "unknown — vendor-attested") == 0)
		return "区分不明 (業者証明): 機器自身または製造元・リース会社による消去。証跡の"
		       "SHA-256 を台帳に記録 / erased by the device or its maker; level not known";
	return NULL;
}

/* Sentences the tool writes into documents, by their English start. */
static const struct words sentences[] = {
	{ "full read-back of every block", "全ブロックを読み戻し、最終パスと照合" },
	{ "sampled read-back", "抽出読み戻し (先頭・末尾 1 MiB を含む層別抽出) で最終パスと照合" },
	{ "every fill file read back", "充填ファイルを全て読み戻し、書き込んだ内容と照合" },
	{ "destruction witnessed", "破壊に第二の者が立ち会い、台帳に連署" },
	{ "Overwriting flash media reaches Clear only",
	  "フラッシュ媒体の上書きは Clear 止まり。Purge にはファームウェアのサニタイズ"
	  "(ブロック消去・暗号消去) または物理破壊が必要" },
	{ "overwriting flash is Clear, never Purge",
	  "フラッシュ媒体の上書きは Clear であり Purge には届かない。コントローラが予備・"
	  "代替ブロックに古い複製を残し、書き込みはそこに届かない" },
	{ "a loop device is a file", "ループデバイスはファイルであり、上書きはその内容を"
	  "消すが、下のファイルシステムが古い複製 (スナップショット等) を残すことがある" },
	{ "magnetic disk (HDD)", "磁気ディスク (HDD)" },
	{ "flash (SSD)", "フラッシュ (SSD)" },
	{ "flash (NVMe SSD)", "フラッシュ (NVMe SSD)" },
	{ "flash (USB removable)", "フラッシュ (USB メモリ)" },
	{ "flash (SD/MMC card)", "フラッシュ (SD/MMC カード)" },
	{ "virtual (file-backed loop device)", "仮想 (ファイルを使うループデバイス)" },
	{ "virtual disk", "仮想ディスク" },
	{ "not yet decided", "未定 (台帳の払出しを参照)" },
	/* issue 17: a maker nobody recorded; a disc's media type ("optical (CD-R)") */
	{ "unknown", "不明" },
	{ "optical", "光ディスク" },
};

const char *wp_ja_sentence(const char *english)
{
	return find(sentences, sizeof(sentences) / sizeof(sentences[0]), english, true);
}

/* "2026-12-03T06:47:10Z" → "2026年12月3日 15:47 (JST)": Japan has had no
 * daylight saving time since 1951, so JST is UTC+9 for every certificate. */
void wp_jst(const char *utc, char *out, size_t len)
{
	struct tm tm = { 0 };
	out[0] = '\0';
	if (sscanf(utc, "%4d-%2d-%2dT%2d:%2d:%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t t = timegm(&tm) + 9 * 3600;
	struct tm jst;
	if (t < 0 || !gmtime_r(&t, &jst))
		return;
	snprintf(out, len, "%d年%d月%d日 %02d:%02d (JST)", jst.tm_year + 1900, jst.tm_mon + 1,
		 jst.tm_mday, jst.tm_hour, jst.tm_min);
}
