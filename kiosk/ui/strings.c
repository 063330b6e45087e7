/* strings.c: the kiosk's own words; see strings.h. Dutch at B1 level. */
#include "strings.h"

#include <string.h>

typedef struct str_table {
    const char *lang;
    const char *text[STR_COUNT];
} str_table;

static const str_table str_tables[] = {
    {"nl",
     {
         [STR_LANGUAGE_NAME] = "Nederlands",
         [STR_PRIVACY] = "Anoniem. Uw antwoorden gaan naar de gemeente Oosterhout.",
         [STR_START] = "Doe mee",
         [STR_PROGRESS] = "Vraag %d van %d",
         [STR_BACK] = "Terug",
         [STR_SKIP] = "Overslaan",
         [STR_NEXT] = "Volgende",
         [STR_DONE] = "Klaar",
         [STR_BIGGER_TEXT] = "A+",
         [STR_HIGH_CONTRAST] = "Meer contrast",
         [STR_MULTI_LEFT] = "U kunt er nog %d kiezen.",
         [STR_MULTI_FULL] = "U heeft het meeste gekozen. Tik op een keuze om die weg te halen.",
         [STR_MULTI_ANY] = "U kunt meer dan één kiezen.",
         [STR_TEXT_LEFT] = "Nog %d tekens",
         [STR_TEXT_HINT] = "Schrijf geen namen, adressen of telefoonnummers.",
         [STR_KEY_SPACE] = "spatie",
         [STR_KEY_DELETE] = "wissen",
         [STR_KEY_SHIFT] = "Hoofdletter",
         [STR_KEY_ACCENTS] = "é ë ï",
         [STR_KEY_LETTERS] = "abc",
         [STR_NUMBER_EMPTY] = "Tik op - of +",
         [STR_THANKS] = "Bedankt!",
         [STR_THANKS_LINE] = "Uw antwoorden zijn bewaard zonder uw naam. De gemeente gebruikt ze "
                             "om samen met bewoners de buurt beter te maken.",
         [STR_IDLE_TITLE] = "Bent u er nog?",
         [STR_IDLE_BUTTON] = "Ja, ik ben er nog",
         [STR_IDLE_LINE] = "Anders stopt de vragenlijst over:",
         [STR_OOS_TITLE] = "Deze kiosk werkt even niet",
         [STR_OOS_LINE] = "Uw antwoorden tot nu toe zijn bewaard. Probeer het later nog eens.",
     }},
    {"en",
     {
         [STR_LANGUAGE_NAME] = "English",
         [STR_PRIVACY] = "Anonymous. Your answers go to the municipality of Oosterhout.",
         [STR_START] = "Take part",
         [STR_PROGRESS] = "Question %d of %d",
         [STR_BACK] = "Back",
         [STR_SKIP] = "Skip",
         [STR_NEXT] = "Next",
         [STR_DONE] = "Done",
         [STR_BIGGER_TEXT] = "A+",
         [STR_HIGH_CONTRAST] = "More contrast",
         [STR_MULTI_LEFT] = "You can pick %d more.",
         [STR_MULTI_FULL] = "You have picked the most you can. Tap a choice to remove it.",
         [STR_MULTI_ANY] = "You can pick more than one.",
         [STR_TEXT_LEFT] = "%d characters left",
         [STR_TEXT_HINT] = "Please do not write names, addresses or phone numbers.",
         [STR_KEY_SPACE] = "space",
         [STR_KEY_DELETE] = "delete",
         [STR_KEY_SHIFT] = "Capital",
         [STR_KEY_ACCENTS] = "é ë ï",
         [STR_KEY_LETTERS] = "abc",
         [STR_NUMBER_EMPTY] = "Tap - or +",
         [STR_THANKS] = "Thank you!",
         [STR_THANKS_LINE] = "Your answers are kept without your name. The municipality uses "
                             "them to improve the neighbourhood together with residents.",
         [STR_IDLE_TITLE] = "Are you still there?",
         [STR_IDLE_BUTTON] = "Yes, I'm still here",
         [STR_IDLE_LINE] = "Otherwise the survey stops in:",
         [STR_OOS_TITLE] = "This kiosk is out of service",
         [STR_OOS_LINE] = "Your answers so far have been kept. Please try again later.",
     }},
    {"tr",
     {
         [STR_LANGUAGE_NAME] = "Türkçe",
         [STR_PRIVACY] = "Anonim. Cevaplarınız Oosterhout belediyesine gider.",
         [STR_START] = "Katıl",
         [STR_PROGRESS] = "Soru %d / %d",
         [STR_BACK] = "Geri",
         [STR_SKIP] = "Atla",
         [STR_NEXT] = "İleri",
         [STR_DONE] = "Bitti",
         [STR_BIGGER_TEXT] = "A+",
         [STR_HIGH_CONTRAST] = "Daha fazla kontrast",
         [STR_MULTI_LEFT] = "%d tane daha seçebilirsiniz.",
         [STR_MULTI_FULL] = "En fazla seçimi yaptınız. Kaldırmak için bir seçime dokunun.",
         [STR_MULTI_ANY] = "Birden fazla seçebilirsiniz.",
         [STR_TEXT_LEFT] = "%d karakter kaldı",
         [STR_TEXT_HINT] = "Lütfen isim, adres veya telefon numarası yazmayın.",
         [STR_KEY_SPACE] = "boşluk",
         [STR_KEY_DELETE] = "sil",
         [STR_KEY_SHIFT] = "Büyük harf",
         [STR_KEY_ACCENTS] = "é ë ï",
         [STR_KEY_LETTERS] = "abc",
         [STR_NUMBER_EMPTY] = "- veya + dokunun",
         [STR_THANKS] = "Teşekkürler!",
         [STR_THANKS_LINE] = "Cevaplarınız isminiz olmadan saklanır. Belediye bunları mahalleyi "
                             "sakinlerle birlikte iyileştirmek için kullanır.",
         [STR_IDLE_TITLE] = "Hâlâ orada mısınız?",
         [STR_IDLE_BUTTON] = "Evet, buradayım",
         [STR_IDLE_LINE] = "Yoksa anket şu süre sonra durur:",
         [STR_OOS_TITLE] = "Bu kiosk şu anda çalışmıyor",
         [STR_OOS_LINE] = "Şimdiye kadarki cevaplarınız saklandı. Lütfen daha sonra deneyin.",
     }},
    {"ar",
     {
         [STR_LANGUAGE_NAME] = "العربية",
         [STR_PRIVACY] = "بدون اسم. تذهب إجاباتك إلى بلدية أوسترهاوت.",
         [STR_START] = "شارك",
         [STR_PROGRESS] = "السؤال %d من %d",
         [STR_BACK] = "رجوع",
         [STR_SKIP] = "تخطي",
         [STR_NEXT] = "التالي",
         [STR_DONE] = "انتهيت",
         [STR_BIGGER_TEXT] = "A+",
         [STR_HIGH_CONTRAST] = "تباين أعلى",
         [STR_MULTI_LEFT] = "يمكنك اختيار %d أخرى.",
         [STR_MULTI_FULL] = "لقد اخترت الحد الأقصى. المس اختيارا لإزالته.",
         [STR_MULTI_ANY] = "يمكنك اختيار أكثر من واحد.",
         [STR_TEXT_LEFT] = "بقي %d حرفا",
         [STR_TEXT_HINT] = "من فضلك لا تكتب أسماء أو عناوين أو أرقام هواتف.",
         [STR_KEY_SPACE] = "مسافة",
         [STR_KEY_DELETE] = "حذف",
         [STR_KEY_SHIFT] = "Shift",
         [STR_KEY_ACCENTS] = "é ë ï",
         [STR_KEY_LETTERS] = "abc",
         [STR_NUMBER_EMPTY] = "المس - أو +",
         [STR_THANKS] = "شكرا!",
         [STR_THANKS_LINE] = "تحفظ إجاباتك بدون اسمك. تستخدمها البلدية لتحسين الحي مع السكان.",
         [STR_IDLE_TITLE] = "هل ما زلت هنا؟",
         [STR_IDLE_BUTTON] = "نعم، ما زلت هنا",
         [STR_IDLE_LINE] = "وإلا يتوقف الاستبيان بعد:",
         [STR_OOS_TITLE] = "هذا الجهاز لا يعمل الآن",
         [STR_OOS_LINE] = "تم حفظ إجاباتك حتى الآن. حاول مرة أخرى لاحقا.",
     }},
};

static const str_table *str_find(const char *lang)
{
    for (size_t i = 0; i < sizeof str_tables / sizeof str_tables[0]; i++)
        if (lang && strcmp(str_tables[i].lang, lang) == 0)
            return &str_tables[i];
    return NULL;
}

const char *str_get(const char *lang, str_id id)
{
    const str_table *t = str_find(lang);
    if (id < 0 || id >= STR_COUNT)
        return "";
    if (t && t->text[id])
        return t->text[id];
    const char *en = str_tables[1].text[id];
    return en ? en : "";
}

int str_has_language(const char *lang)
{
    return str_find(lang) != NULL;
}
