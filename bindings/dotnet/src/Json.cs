// JSON through System.Runtime.Serialization.Json (part of netstandard2.0 and of Mono): no
// package to download. Unknown keys are ignored, so fields a newer library adds do not break an
// older binding.
using System.IO;
using System.Runtime.Serialization.Json;

namespace Bistand
{
    internal static class Json
    {
        private static DataContractJsonSerializerSettings Settings()
        {
            return new DataContractJsonSerializerSettings { UseSimpleDictionaryFormat = true };
        }

        internal static T Parse<T>(byte[] json)
        {
            var serializer = new DataContractJsonSerializer(typeof(T), Settings());
            using (var stream = new MemoryStream(json))
            {
                return (T)serializer.ReadObject(stream);
            }
        }

        internal static byte[] Write<T>(T value)
        {
            var serializer = new DataContractJsonSerializer(typeof(T), Settings());
            using (var stream = new MemoryStream())
            {
                serializer.WriteObject(stream, value);
                return stream.ToArray();
            }
        }
    }
}
