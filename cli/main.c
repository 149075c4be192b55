/* wipeproof: the messages' language, then the one dispatch (options.c). */
#include "i18n.h"
#include "options.h"

int main(int argc, char **argv)
{
	wp_i18n_init();
	return wp_dispatch(argc, argv);
}
