/*
 * What `openssl speed -evp aes-256-ctr -bytes 16384` times, for counting
 * instructions (bench/cpu with CALLGRIND=1): AES-256-CTR in place over one
 * 16 KiB buffer, MIB mebibytes in all. Usage: aesref MIB
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	static unsigned char buf[16384];
	unsigned char key[32] = { 1 }, iv[16] = { 0 };
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int outl;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (!ctx || !EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), NULL, key, iv))
		return 1;
	for (size_t i = 0; i < mib * 64; i++)
		if (!EVP_EncryptUpdate(ctx, buf, &outl, buf, (int)sizeof(buf)))
			return 1;
	EVP_CIPHER_CTX_free(ctx);
	printf("%u\n", buf[0]);
	return 0;
}
