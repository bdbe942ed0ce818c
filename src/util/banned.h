/*
 * banned.h - turn unsafe libc calls into compile errors.
 *
 * Included last by every source file of the tool.  Functions that write
 * without a bound or parse numbers without error reporting are replaced by
 * a reference to an undefined identifier, so a stray use fails to build.
 */
#ifndef PS_BANNED_H
#define PS_BANNED_H

#define BANNED(func) sorry_##func##_is_banned_in_portsleuth

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef sscanf
#define sscanf(...) BANNED(sscanf)
#undef gets
#define gets(x) BANNED(gets)

#endif
