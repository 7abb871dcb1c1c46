/* holdopen PATH: opens PATH without sharing (share mode 0), as a till
   program holds its journal, prints "held" and keeps it open until its
   standard input ends. Without PATH it only waits (it keeps a Wine
   session, and the services in it, alive). */
#include <windows.h>
#include <stdio.h>
int wmain(int argc, wchar_t **argv) {
	HANDLE h = INVALID_HANDLE_VALUE;
	char buf[64];
	DWORD n;
	if (argc > 1) {
		h = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
		if (h == INVALID_HANDLE_VALUE) {
			printf("cannot open: %lu\n", GetLastError());
			return 1;
		}
	}
	printf("held\n");
	fflush(stdout);
	while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof buf, &n, NULL) && n > 0) {
	}
	if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
	return 0;
}
