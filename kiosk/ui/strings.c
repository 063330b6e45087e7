/* strings.c: the kiosk's own words; see strings.h. Dutch at B1 level. */
#include "strings.h"

#include <string.h>

#include "ui.h"

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
         [STR_STAFF_TITLE] = "Beheer",
         [STR_STAFF_PIN_TITLE] = "Beheer: typ de pincode",
         [STR_STAFF_PIN_CLEAR] = "Wissen",
         [STR_STAFF_PIN_OK] = "OK",
         [STR_STAFF_PIN_CANCEL] = "Annuleren",
         [STR_STAFF_PIN_WRONG] =
             "Onjuiste pincode. Nog %d keer proberen, dan gaat het beheer even op slot.",
         [STR_STAFF_PIN_WRONG_LOCK] = "Onjuiste pincode.",
         [STR_STAFF_PIN_LOCKED] = "Te vaak een onjuiste pincode. Probeer het opnieuw over:",
         [STR_STAFF_PIN_NONE] =
             "Er is geen pincode ingesteld. Zet pin_hash in [staff] (zie docs/staff.md).",
         [STR_STAFF_PIN_SHORT] = "Een pincode heeft minstens 4 cijfers.",
         [STR_STAFF_LEAVE] = "Terug naar de kiosk",
         [STR_STAFF_KIOSK] = "Kiosk",
         [STR_STAFF_VERSION] = "Versie",
         [STR_STAFF_SURVEY] = "Enquête",
         [STR_STAFF_SURVEY_VERSION] = "%s (versie %d)",
         [STR_STAFF_MODE] = "Stand",
         [STR_STAFF_MODE_SURVEY] = "Enquête (bewoners)",
         [STR_STAFF_MODE_LIVE] = "Live (bijeenkomst)",
         [STR_STAFF_DISK] = "Vrije ruimte",
         [STR_STAFF_UNKNOWN] = "onbekend",
         [STR_STAFF_TODAY] = "Vandaag",
         [STR_STAFF_TOTAL] = "Totaal",
         [STR_STAFF_QUEUED] = "Nog te versturen",
         [STR_STAFF_REJECTED] = "Apart gezet",
         [STR_STAFF_LAST_SYNC] = "Laatst verstuurd",
         [STR_STAFF_NEVER] = "nog nooit",
         [STR_STAFF_LAST_ERROR] = "Laatste fout",
         [STR_STAFF_NO_ERROR] = "geen",
         [STR_STAFF_SYNC_OFF] = "Verzenden is niet ingesteld op deze kiosk",
         [STR_STAFF_SYNC_NOW] = "Nu versturen",
         [STR_STAFF_SYNC_STARTING] = "Versturen begint...",
         [STR_STAFF_SYNC_BUSY] = "Bezig: %lld van %lld verstuurd",
         [STR_STAFF_SYNC_DONE] = "Klaar: %lld van %lld verstuurd",
         [STR_STAFF_CHART] = "Antwoorden per dag, laatste 14 dagen",
         [STR_STAFF_EVENTS] = "Meldingen",
         [STR_STAFF_NO_EVENTS] = "Geen meldingen",
         [STR_STAFF_EVENT_CORRUPT] =
             "De database was beschadigd. Er is een nieuwe gestart; de oude is bewaard.",
         [STR_STAFF_EVENT_LOCKOUT] = "Te vaak een onjuiste pincode: beheer was op slot.",
         [STR_STAFF_EVENT_REJECTED] =
             "De server heeft antwoorden geweigerd. Ze blijven bewaard en staan apart.",
         [STR_STAFF_EXPORT] = "Naar USB-stick",
         [STR_STAFF_EXPORT_BUSY] = "Bezig met opslaan op de USB-stick...",
         [STR_STAFF_EXPORT_DONE] = "Opgeslagen op de USB-stick",
         [STR_STAFF_EXPORT_DONE_LINE] =
             "%lld antwoorden staan op de stick als %s: .csv (voor Excel), "
             ".jsonl en .sha256. U kunt de stick nu uit de kiosk halen.",
         [STR_STAFF_EXPORT_DONE_ONE] = "1 antwoord staat op de stick als %s: .csv (voor Excel), "
                                       ".jsonl en .sha256. U kunt de stick nu uit de kiosk halen.",
         [STR_STAFF_EXPORT_NO_USB] = "Geen USB-stick gevonden",
         [STR_STAFF_EXPORT_NO_USB_LINE] =
             "Steek een USB-stick in de kiosk, wacht even en probeer het opnieuw.",
         [STR_STAFF_EXPORT_FAILED] = "Opslaan is niet gelukt",
         [STR_STAFF_EXPORT_FAILED_LINE] =
             "Misschien is de stick vol of alleen-lezen. Er is niets verloren gegaan. (%s)",
         [STR_STAFF_CHOOSE] = "Enquête en stand",
         [STR_STAFF_CHOOSE_SURVEY] = "Welke enquête laat de kiosk zien?",
         [STR_STAFF_CHOOSE_MODE] = "Stand",
         [STR_STAFF_CHOOSE_LINE] = "Geldt vanaf de volgende bewoner en blijft zo na een herstart.",
         [STR_STAFF_CHOOSE_FAILED] = "Opslaan van de keuze is niet gelukt.",
         [STR_STAFF_QUIT] = "Kiosk afsluiten",
         [STR_STAFF_QUIT_TITLE] = "Kiosk afsluiten?",
         [STR_STAFF_QUIT_LINE] = "Het programma stopt. Bewoners kunnen dan niets invullen tot de "
                                 "kiosk weer start. Alle antwoorden blijven bewaard.",
         [STR_STAFF_QUIT_YES] = "Ja, afsluiten",
         [STR_STAFF_QUIT_NO] = "Nee, terug",
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
         [STR_STAFF_TITLE] = "Staff mode",
         [STR_STAFF_PIN_TITLE] = "Staff mode: enter the PIN",
         [STR_STAFF_PIN_CLEAR] = "Clear",
         [STR_STAFF_PIN_OK] = "OK",
         [STR_STAFF_PIN_CANCEL] = "Cancel",
         [STR_STAFF_PIN_WRONG] = "Wrong PIN. %d more tries, then staff mode locks for a while.",
         [STR_STAFF_PIN_WRONG_LOCK] = "Wrong PIN.",
         [STR_STAFF_PIN_LOCKED] = "Too many wrong PINs. Try again in:",
         [STR_STAFF_PIN_NONE] = "No PIN is set. Put pin_hash in [staff] (see docs/staff.md).",
         [STR_STAFF_PIN_SHORT] = "A PIN has at least 4 digits.",
         [STR_STAFF_LEAVE] = "Back to the kiosk",
         [STR_STAFF_KIOSK] = "Kiosk",
         [STR_STAFF_VERSION] = "Version",
         [STR_STAFF_SURVEY] = "Survey",
         [STR_STAFF_SURVEY_VERSION] = "%s (version %d)",
         [STR_STAFF_MODE] = "Mode",
         [STR_STAFF_MODE_SURVEY] = "Survey (residents)",
         [STR_STAFF_MODE_LIVE] = "Live (event)",
         [STR_STAFF_DISK] = "Free disk space",
         [STR_STAFF_UNKNOWN] = "unknown",
         [STR_STAFF_TODAY] = "Today",
         [STR_STAFF_TOTAL] = "In total",
         [STR_STAFF_QUEUED] = "Waiting to be sent",
         [STR_STAFF_REJECTED] = "Set aside",
         [STR_STAFF_LAST_SYNC] = "Last sent",
         [STR_STAFF_NEVER] = "never",
         [STR_STAFF_LAST_ERROR] = "Last error",
         [STR_STAFF_NO_ERROR] = "none",
         [STR_STAFF_SYNC_OFF] = "Sending is not set up on this kiosk",
         [STR_STAFF_SYNC_NOW] = "Sync now",
         [STR_STAFF_SYNC_STARTING] = "Starting to send...",
         [STR_STAFF_SYNC_BUSY] = "Sending: %lld of %lld sent",
         [STR_STAFF_SYNC_DONE] = "Done: %lld of %lld sent",
         [STR_STAFF_CHART] = "Responses per day, last 14 days",
         [STR_STAFF_EVENTS] = "Notices",
         [STR_STAFF_NO_EVENTS] = "No notices",
         [STR_STAFF_EVENT_CORRUPT] =
             "The database was damaged. A new one was started; the old one is kept.",
         [STR_STAFF_EVENT_LOCKOUT] = "Too many wrong PINs: staff mode was locked.",
         [STR_STAFF_EVENT_REJECTED] =
             "The server refused some responses. They are kept and set aside.",
         [STR_STAFF_EXPORT] = "Export to USB",
         [STR_STAFF_EXPORT_BUSY] = "Saving to the USB stick...",
         [STR_STAFF_EXPORT_DONE] = "Saved on the USB stick",
         [STR_STAFF_EXPORT_DONE_LINE] = "%lld responses are on the stick as %s: .csv (for Excel), "
                                        ".jsonl and .sha256. You can take the stick out now.",
         [STR_STAFF_EXPORT_DONE_ONE] = "1 response is on the stick as %s: .csv (for Excel), .jsonl "
                                       "and .sha256. You can take the stick out now.",
         [STR_STAFF_EXPORT_NO_USB] = "No USB stick found",
         [STR_STAFF_EXPORT_NO_USB_LINE] =
             "Put a USB stick in the kiosk, wait a moment and try again.",
         [STR_STAFF_EXPORT_FAILED] = "Saving failed",
         [STR_STAFF_EXPORT_FAILED_LINE] =
             "The stick may be full or read-only. Nothing was lost. (%s)",
         [STR_STAFF_CHOOSE] = "Survey and mode",
         [STR_STAFF_CHOOSE_SURVEY] = "Which survey does the kiosk show?",
         [STR_STAFF_CHOOSE_MODE] = "Mode",
         [STR_STAFF_CHOOSE_LINE] = "Applies from the next resident and stays after a restart.",
         [STR_STAFF_CHOOSE_FAILED] = "Saving the choice failed.",
         [STR_STAFF_QUIT] = "Close the kiosk",
         [STR_STAFF_QUIT_TITLE] = "Close the kiosk?",
         [STR_STAFF_QUIT_LINE] = "The program stops. Residents cannot take part until the kiosk "
                                 "starts again. All answers are kept.",
         [STR_STAFF_QUIT_YES] = "Yes, close it",
         [STR_STAFF_QUIT_NO] = "No, go back",
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
         [STR_KEY_ACCENTS] = "â î ₺",
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
         [STR_KEY_ACCENTS] = "١٢٣ ؟",
         [STR_KEY_LETTERS] = "أ ب ت",
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

bool str_is_rtl(const char *lang)
{
    const str_table *t = str_find(lang);
    return t && ui_text_is_rtl(t->text[STR_LANGUAGE_NAME]);
}
